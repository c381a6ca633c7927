import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { SharedState } from '../../shared-state/redis.js'

/**
 * The exact cache's entries in the Redis several instances share (config `redis`): one hash per entry
 * (`cache:e:<exact key>`, expiring with the entry's TTL), an index sorted by expiry (`cache:idx`) and each
 * entry's size (`cache:sizes`) so the caps hold across instances, and shared counters (`cache:stats`). When
 * the caps are passed, the entries closest to expiry go first. Every function rejects when Redis cannot be
 * reached: the caller treats that as a miss (the cache fails open).
 *
 * Each entry carries an HMAC of its key and contents under a key from SWITCHYARD_SECRET_KEY (which every
 * instance shares, and `redis` requires): whoever can write to Redis but lacks it cannot plant an answer for
 * the gateways to serve, nor move one to another request's key; an entry that fails the check is a miss.
 */

/** A stored answer as Redis holds it; `payload` is sealed when the log's bodies are. */
export interface SharedEntry {
  payload: string
  provider: string
  model: string
  createdAt: number
  costUsd?: number
}

// KEYS[1] entry, KEYS[2] stats. ARGV[1] '1' to count a miss. Returns {payload, provider, model, createdAt, cost, mac}.
const GET = `
local v = redis.call('HMGET', KEYS[1], 'p', 'pr', 'm', 't', 'c', 'h')
if not v[1] then
  if ARGV[1] == '1' then redis.call('HINCRBY', KEYS[2], 'misses', 1) end
  return false
end
redis.call('HINCRBY', KEYS[2], 'hits', 1)
if v[5] then redis.call('HINCRBYFLOAT', KEYS[2], 'saved', v[5]) end
return v
`

// Shared by the scripts below: the time, and dropping one entry with its index, size and bytes.
const COMMON = `
local idx, sizes, stats, prefix = KEYS[1], KEYS[2], KEYS[3], ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function drop(k)
  local b = redis.call('HGET', sizes, k)
  if b then
    redis.call('HDEL', sizes, k)
    redis.call('HINCRBY', stats, 'bytes', -tonumber(b))
  end
  redis.call('ZREM', idx, k)
  return redis.call('DEL', prefix .. k)
end
local function sweep(limit)
  local expired = redis.call('ZRANGEBYSCORE', idx, '-inf', now, 'LIMIT', 0, limit)
  for i = 1, #expired do drop(expired[i]) end
end
`

// ARGV: prefix, key, payload, provider, model, cost ('' for none), namespace, ttl ms, bytes, max entries, max bytes,
// mac.
const PUT = `${COMMON}
sweep(100)
local key, ttl, bytes = ARGV[2], tonumber(ARGV[8]), tonumber(ARGV[9])
drop(key)
local entry = prefix .. key
redis.call('HSET', entry, 'p', ARGV[3], 'pr', ARGV[4], 'm', ARGV[5], 't', now, 'ns', ARGV[7], 'h', ARGV[12])
if ARGV[6] ~= '' then redis.call('HSET', entry, 'c', ARGV[6]) end
redis.call('PEXPIRE', entry, ttl)
redis.call('ZADD', idx, now + ttl, key)
redis.call('HSET', sizes, key, bytes)
redis.call('HINCRBY', stats, 'bytes', bytes)
local maxEntries, maxBytes = tonumber(ARGV[10]), tonumber(ARGV[11])
while redis.call('ZCARD', idx) > maxEntries or tonumber(redis.call('HGET', stats, 'bytes') or '0') > maxBytes do
  local first = redis.call('ZRANGE', idx, 0, 0)
  if #first == 0 then break end
  drop(first[1])
end
return 1
`

// ARGV: prefix. Returns {entries, bytes, hits, misses, saved}.
const STATS = `${COMMON}
sweep(-1)
local s = redis.call('HMGET', stats, 'bytes', 'hits', 'misses', 'saved')
return { redis.call('ZCARD', idx), s[1] or '0', s[2] or '0', s[3] or '0', s[4] or '0' }
`

// ARGV: prefix, namespace ('' for every entry). Returns how many entries went.
const CLEAR = `${COMMON}
local ns, n = ARGV[2], 0
local keys = redis.call('ZRANGE', idx, 0, -1)
for i = 1, #keys do
  if ns == '' or redis.call('HGET', prefix .. keys[i], 'ns') == ns then n = n + drop(keys[i]) end
end
return n
`

interface CacheCommands {
  switchyardCacheGet(entry: string, stats: string, countMiss: string): Promise<(string | null)[] | null>
  switchyardCachePut(idx: string, sizes: string, stats: string, ...args: string[]): Promise<number>
  switchyardCacheStats(idx: string, sizes: string, stats: string, prefix: string): Promise<(string | number)[]>
  switchyardCacheClear(idx: string, sizes: string, stats: string, prefix: string, ns: string): Promise<number>
}

const defined = new WeakSet<Redis>()

function commands(redis: Redis): CacheCommands {
  if (!defined.has(redis)) {
    redis.defineCommand('switchyardCacheGet', { numberOfKeys: 2, lua: GET })
    redis.defineCommand('switchyardCachePut', { numberOfKeys: 3, lua: PUT })
    redis.defineCommand('switchyardCacheStats', { numberOfKeys: 3, lua: STATS })
    redis.defineCommand('switchyardCacheClear', { numberOfKeys: 3, lua: CLEAR })
    defined.add(redis)
  }
  return redis as unknown as CacheCommands
}

export interface SharedCacheStats {
  entries: number
  bytes: number
  hits: number
  misses: number
  savedUsd: number
}

/** The cache's Redis keys and scripts on one shared state. */
export class SharedCacheStore {
  private readonly prefix: string
  private readonly meta: [idx: string, sizes: string, stats: string]

  constructor(
    private readonly shared: SharedState,
    private readonly macKey: Buffer,
  ) {
    this.prefix = shared.key('cache', 'e', '')
    this.meta = [shared.key('cache', 'idx'), shared.key('cache', 'sizes'), shared.key('cache', 'stats')]
  }

  /** The entry's HMAC over its key and every field a hit serves. */
  private mac(key: string, payload: string, provider: string, model: string, cost: string): string {
    return createHmac('sha256', this.macKey)
      .update(JSON.stringify([key, payload, provider, model, cost]))
      .digest('base64url')
  }

  private verified(key: string, v: (string | null)[]): boolean {
    const [payload, provider, model, , cost, mac] = v
    if (!mac) return false
    const want = Buffer.from(this.mac(key, payload ?? '', provider ?? '', model ?? '', cost ?? ''))
    const got = Buffer.from(mac)
    return got.length === want.length && timingSafeEqual(got, want)
  }

  private get cmd(): CacheCommands {
    if (!this.shared.available()) throw new Error('Redis is unavailable')
    return commands(this.shared.redis)
  }

  /** The entry under `key`, counting a hit, or a miss when `countMiss`; undefined when there is none. */
  async get(key: string, countMiss: boolean): Promise<SharedEntry | undefined> {
    const v = await this.cmd.switchyardCacheGet(this.prefix + key, this.meta[2], countMiss ? '1' : '0')
    if (!v?.[0]) return undefined
    if (!this.verified(key, v)) {
      // The script counted a hit; a forged or damaged entry is a miss.
      const stats = this.meta[2]
      const fix = this.shared.redis.multi().hincrby(stats, 'hits', -1)
      if (countMiss) fix.hincrby(stats, 'misses', 1)
      void fix.exec().catch(() => undefined)
      return undefined
    }
    const [payload, provider, model, createdAt, cost] = v
    return {
      payload,
      provider: provider ?? '',
      model: model ?? '',
      createdAt: Number(createdAt),
      costUsd: cost ? Number(cost) : undefined,
    }
  }

  async recordMiss(): Promise<void> {
    if (!this.shared.available()) return
    await this.shared.redis.hincrby(this.meta[2], 'misses', 1)
  }

  async put(
    key: string,
    namespace: string,
    entry: Omit<SharedEntry, 'createdAt'>,
    ttlMs: number,
    bytes: number,
    caps: { maxEntries: number; maxBytes: number },
  ): Promise<void> {
    const cost = entry.costUsd === undefined ? '' : String(entry.costUsd)
    await this.cmd.switchyardCachePut(
      ...this.meta,
      this.prefix,
      key,
      entry.payload,
      entry.provider,
      entry.model,
      cost,
      namespace,
      String(ttlMs),
      String(bytes),
      String(caps.maxEntries),
      String(caps.maxBytes),
      this.mac(key, entry.payload, entry.provider, entry.model, cost),
    )
  }

  async stats(): Promise<SharedCacheStats> {
    const [entries, bytes, hits, misses, saved] = await this.cmd.switchyardCacheStats(...this.meta, this.prefix)
    return {
      entries: Number(entries),
      bytes: Number(bytes),
      hits: Number(hits),
      misses: Number(misses),
      savedUsd: Number(saved),
    }
  }

  /** Drops every entry, or those of one namespace, for every instance; returns how many. */
  async clear(namespace: string | undefined): Promise<number> {
    return await this.cmd.switchyardCacheClear(...this.meta, this.prefix, namespace ?? '')
  }
}
