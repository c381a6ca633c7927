import type { SharedState } from '../shared-state/redis.js'
import type { SharedConfigBackend, StoreOutcome } from './shared-config.js'

/**
 * Stores a change unless Redis already holds a newer one (two instances publishing at once: the higher version
 * wins everywhere), and announces its version; atomic, so no instance reads a version before its document.
 * A newer seed (a file's config stored at start while this change was being sealed) is no newer change: -1
 * asks for this one again under a fresh version. ARGV: version, document, channel.
 */
const PUBLISH_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local ok, doc = pcall(cjson.decode, cur)
  if ok and type(doc) == 'table' and tonumber(doc.version) and tonumber(doc.version) >= tonumber(ARGV[1]) then
    if doc.seed == true then return -1 end
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[1])
return 1`

/** The first instance's file becomes the shared config only if no instance stored one meanwhile. */
const SEED_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[1])
return 1`

/**
 * The shared config in Redis (config `redis` without `database`): the document at `key('config')`, versions from
 * INCR on `key('config', 'version')`, announcements on `key('config', 'changed')`.
 */
export function redisConfigBackend(shared: SharedState): SharedConfigBackend {
  const docKey = shared.key('config')
  const channel = shared.key('config', 'changed')
  return {
    name: 'Redis',
    available: () => shared.available(),
    async watch(heard) {
      const sub = shared.subscriber()
      sub.on('message', (from: string, message: string) => {
        if (from === channel) heard(Number(message))
      })
      // A resubscribed connection (ioredis resubscribes after a reconnect) missed what was published meanwhile.
      sub.on('ready', () => heard(0))
      await sub.subscribe(channel)
    },
    onUp: (listener) =>
      shared.onChange((up) => {
        if (up) listener()
      }),
    counter: async () => Number(await shared.redis.get(shared.key('config', 'version'))),
    nextVersion: () => shared.redis.incr(shared.key('config', 'version')),
    async store(version, document, seed): Promise<StoreOutcome> {
      const stored = await shared.redis.eval(
        seed ? SEED_SCRIPT : PUBLISH_SCRIPT,
        1,
        docKey,
        String(version),
        document,
        channel,
      )
      return stored === 1 ? 'stored' : stored === -1 ? 'after-seed' : 'older'
    },
    // GETRANGE's end is inclusive: one byte past the bound at most.
    read: (maxBytes) => shared.redis.getrangeBuffer(docKey, 0, maxBytes),
    close: () => undefined,
  }
}
