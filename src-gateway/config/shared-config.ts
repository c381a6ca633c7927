import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto'
import type { Alerts } from '../alerts/alerts.js'
import type { SharedState } from '../shared-state/redis.js'
import type { LoadedConfig } from './load.js'
import { resolveConfig } from './load.js'
import type { GatewayConfig } from './schema.js'
import { referencedSecrets, sealPlainSecrets, secretFields } from './secret-fields.js'
import type { ConfigStore } from './store.js'
import { type ConfigProblem, configProblems } from './validate.js'

/**
 * Config shared by the instances of one Redis (config `redis`): every change accepted through an instance's
 * ConfigStore is stored at `key('config')` with a version from Redis (INCR) and announced on a channel; the
 * others take it through their own ConfigStore (validated, secrets into their own store, file written).
 *
 * The document holds the config as written to the file, credentials as `${secret:…}` references, without the
 * `redis` section (each instance's own file says where Redis is). The referenced secret values travel sealed:
 * AES-256-GCM under a key derived by scrypt from SWITCHYARD_SECRET_KEY with a fresh salt and IV per document,
 * with the rest of the document as associated data, so whoever can write to Redis cannot read a key, nor
 * point a provider elsewhere and have the instances send it its key, nor replay an old version under a newer
 * number. Without SWITCHYARD_SECRET_KEY only a config without stored credentials can be shared (`${env:…}`
 * references resolve on each instance), and it is not authenticated.
 *
 * At start Redis's document wins over the file when it differs: it is the newest change the group accepted. A
 * first instance (no document yet) stores its file's config. A change made while Redis was unreachable is
 * published when Redis returns, and then wins.
 */

export const SHARED_CONFIG_FORMAT = 'switchyard-shared-config/1'
/** The largest document read from Redis; a config is kilobytes, so anything near this is not one of ours. */
export const MAX_SHARED_DOCUMENT_BYTES = 4 * 1024 * 1024
const SECRET_KEY_ENV = 'SWITCHYARD_SECRET_KEY'
/** How long a start waits for the config channel's subscription before it reads Redis's document anyway. */
const SUBSCRIBE_WAIT_MS = 2000
const SALT_BYTES = 16
const IV_BYTES = 12
const TAG_BYTES = 16
/** Apart from the random salt, so this key never equals the secret file's (derived from the same passphrase). */
const KDF_CONTEXT = `${SHARED_CONFIG_FORMAT}:`

/**
 * Stores a document unless Redis already holds a newer one (two instances publishing at once: the higher
 * version wins everywhere), and announces its version; atomic, so no instance reads a version before its
 * document. ARGV: version, document, channel.
 */
const PUBLISH_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local ok, doc = pcall(cjson.decode, cur)
  if ok and type(doc) == 'table' and tonumber(doc.version) and tonumber(doc.version) >= tonumber(ARGV[1]) then
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

/** What Redis holds at `key('config')`. */
interface SharedDocument {
  format: string
  version: number
  /** The publishing instance (random per process), for log lines. */
  from: string
  /** JSON of Body: kept as the exact string the seal authenticates. */
  body: string
  /** The secret values, sealed; absent when the publisher had no SWITCHYARD_SECRET_KEY (then it shared none). */
  sealed?: { salt: string; box: string }
}

interface Body {
  config: GatewayConfig
  /** `${env:…}` names the publisher lacked too: lacking them here is no reason to refuse the document. */
  missingEnv: string[]
}

/** The config without the section no instance takes from another. */
function withoutRedis(raw: GatewayConfig): GatewayConfig {
  const { redis: _own, ...rest } = raw
  return rest
}

/** The shareable part of a raw config, plain credentials turned into references, and their secret names. */
function shareable(raw: GatewayConfig): { config: GatewayConfig; plain: Map<string, string>; names: Set<string> } {
  const { raw: config, values } = sealPlainSecrets(withoutRedis(raw))
  return { config, plain: values, names: referencedSecrets(config) }
}

/** `providers.openai.apiKey` as the field a problem is reported at. */
const secretPath = (name: string) => `/${name.replaceAll('.', '/')}`

/**
 * Why a config with `redis` cannot be shared: it holds credentials (stored or typed) and SWITCHYARD_SECRET_KEY,
 * which seals them for the other instances, is not set. Checked at start and on each admin change (a 400).
 */
export function sharedSecretProblems(raw: GatewayConfig, env: NodeJS.ProcessEnv): ConfigProblem[] {
  if (env[SECRET_KEY_ENV]) return []
  const [first] = shareable(raw).names
  if (first === undefined) return []
  return [
    {
      path: secretPath(first),
      message: `${SECRET_KEY_ENV} is not set: with redis, a stored credential is shared with the other instances sealed under it. Set the same ${SECRET_KEY_ENV} on every instance, or give the value as an \${env:…} reference`,
    },
  ]
}

function deriveKey(passphrase: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // Asynchronous: scrypt takes tens of milliseconds, which calls in flight should not wait for.
    scrypt(passphrase, Buffer.concat([Buffer.from(KDF_CONTEXT), salt]), 32, (err, key) =>
      err ? reject(err) : resolve(key),
    )
  })
}

/** What the seal authenticates besides the secrets: everything else in the document. */
const associated = (d: Pick<SharedDocument, 'format' | 'version' | 'from' | 'body'>) =>
  Buffer.from(`${d.format}\n${d.version}\n${d.from}\n${d.body}`)

async function seal(passphrase: string, secrets: Map<string, string>, aad: Buffer): Promise<SharedDocument['sealed']> {
  const salt = randomBytes(SALT_BYTES)
  const key = await deriveKey(passphrase, salt)
  const iv = randomBytes(IV_BYTES)
  const c = createCipheriv('aes-256-gcm', key, iv)
  c.setAAD(aad)
  const body = Buffer.concat([c.update(JSON.stringify(Object.fromEntries(secrets)), 'utf8'), c.final()])
  return { salt: salt.toString('base64'), box: Buffer.concat([iv, c.getAuthTag(), body]).toString('base64') }
}

class Refused extends Error {}

async function open(passphrase: string, sealed: NonNullable<SharedDocument['sealed']>, aad: Buffer) {
  const box = Buffer.from(sealed.box, 'base64')
  if (box.length < IV_BYTES + TAG_BYTES) throw new Refused('its sealed secrets are truncated')
  const key = await deriveKey(passphrase, Buffer.from(sealed.salt, 'base64'))
  let text: string
  try {
    const d = createDecipheriv('aes-256-gcm', key, box.subarray(0, IV_BYTES))
    d.setAAD(aad)
    d.setAuthTag(box.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
    text = Buffer.concat([d.update(box.subarray(IV_BYTES + TAG_BYTES)), d.final()]).toString('utf8')
  } catch {
    throw new Refused(
      `it does not open with this instance's ${SECRET_KEY_ENV} (a different key, or the document was altered)`,
    )
  }
  const values: unknown = JSON.parse(text)
  if (typeof values !== 'object' || values === null) throw new Refused('its sealed secrets are not a map')
  const out = new Map<string, string>()
  for (const [name, value] of Object.entries(values)) {
    if (typeof value !== 'string') throw new Refused(`its secret '${name}' is not a string`)
    out.set(name, value)
  }
  return out
}

function parseDocument(buf: Buffer): SharedDocument {
  if (buf.length > MAX_SHARED_DOCUMENT_BYTES) {
    throw new Refused(`it is larger than ${MAX_SHARED_DOCUMENT_BYTES} bytes`)
  }
  let d: Partial<SharedDocument>
  try {
    d = JSON.parse(buf.toString('utf8'))
  } catch {
    throw new Refused('it is not JSON')
  }
  if (d?.format !== SHARED_CONFIG_FORMAT) throw new Refused(`it is not a ${SHARED_CONFIG_FORMAT} document`)
  if (!Number.isSafeInteger(d.version) || (d.version as number) < 1) throw new Refused('its version is not a number')
  if (typeof d.from !== 'string' || typeof d.body !== 'string') throw new Refused('it lacks its body')
  const s = d.sealed
  if (s !== undefined && (typeof s?.salt !== 'string' || typeof s.box !== 'string')) {
    throw new Refused('its sealed part is malformed')
  }
  return d as SharedDocument
}

function parseBody(text: string): Body {
  let b: Partial<Body>
  try {
    b = JSON.parse(text)
  } catch {
    throw new Refused('its body is not JSON')
  }
  if (typeof b?.config !== 'object' || b.config === null || !Array.isArray(b.missingEnv)) {
    throw new Refused('its body lacks the config')
  }
  return { config: b.config, missingEnv: b.missingEnv.filter((n): n is string => typeof n === 'string') }
}

export interface SharedConfigOptions {
  store: ConfigStore
  shared: SharedState
  alerts?: Alerts
  /** One line per event worth an operator's eye; never given a secret. */
  log?: (line: string) => void
}

/** Keeps one ConfigStore in step with the shared document; see the top of this file. */
export class SharedConfig {
  /** The highest version published here, applied or refused (0: none yet, e.g. just started). */
  private seen = 0
  /** A local change Redis has not stored yet (it was unreachable): published when it returns. */
  private unpublished: LoadedConfig | undefined
  /** Set while a document from Redis is applied, so that apply is not published back. */
  private applyingRemote = false
  /** Publishing and applying run one at a time, in order, so an instance never applies its own change back. */
  private queue: Promise<void> = Promise.resolve()
  private closed = false
  private readonly id = randomBytes(4).toString('hex')
  private readonly store: ConfigStore
  private readonly shared: SharedState
  private readonly log: (line: string) => void
  private stopWatching: (() => void) | undefined

  constructor(private readonly opts: SharedConfigOptions) {
    this.store = opts.store
    this.shared = opts.shared
    this.log = opts.log ?? ((line) => process.stderr.write(`switchyard: ${line}\n`))
  }

  private get docKey() {
    return this.shared.key('config')
  }

  private get channel() {
    return this.shared.key('config', 'changed')
  }

  /** Subscribes, then takes Redis's document (or seeds Redis with this config); resolves once that is done. */
  async start(): Promise<void> {
    const sub = this.shared.subscriber()
    sub.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return
      const version = Number(message)
      if (Number.isSafeInteger(version) && version > this.seen) this.enqueue(async () => void (await this.pull()))
    })
    const subscribed = sub.subscribe(this.channel).catch((err: Error) => {
      this.log(`config sync: cannot subscribe to ${this.channel}: ${err.message}`)
    })
    this.store.onApply((next) => {
      if (this.applyingRemote || this.closed) return
      this.enqueue(() => this.publish(next))
    })
    // Messages are not replayed after an outage: catch up when Redis returns (or publish what changed here), and
    // again once the subscription is back, for a change announced between the two.
    this.stopWatching = this.shared.onChange((up) => {
      if (up) this.enqueue(() => this.sync())
    })
    let started = false
    sub.on('ready', () => {
      if (started) this.enqueue(() => this.sync())
    })
    if (!this.shared.available()) {
      started = true
      this.log('config sync: Redis is unreachable; serving the config file until it answers')
      return
    }
    // Bounded: a subscription that cannot be made must not hold the start (the catch-up above covers it later).
    await Promise.race([subscribed, new Promise((r) => setTimeout(r, SUBSCRIBE_WAIT_MS).unref())])
    started = true
    this.enqueue(() => this.sync())
    await this.queue
  }

  /** Resolves once what is queued now has run (tests, shutdown). */
  async idle(): Promise<void> {
    await this.queue
  }

  close(): void {
    this.closed = true
    this.stopWatching?.()
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((err: Error) => this.log(`config sync: ${err.message}`))
  }

  /** After a start or an outage: publish a change Redis missed, else take Redis's document, else seed it. */
  private async sync(): Promise<void> {
    if (this.closed) return
    // A counter below what this instance saw means Redis lost its data (restarted without persistence, or
    // replaced): versions start over, and the ones to come must not be taken for old ones.
    const counter = Number(await this.shared.redis.get(this.shared.key('config', 'version')))
    if (!(counter >= this.seen)) this.seen = 0
    if (this.unpublished) return this.publish(this.unpublished)
    const found = await this.pull()
    if (!found) await this.publish(this.store.current, SEED_SCRIPT)
  }

  /** Publishes a config this instance accepted. A Redis it cannot reach gets it when it returns. */
  private async publish(config: LoadedConfig, script = PUBLISH_SCRIPT): Promise<void> {
    if (this.closed) return
    const { config: shared, plain, names } = shareable(config.raw)
    const secrets = new Map<string, string>()
    for (const name of names) {
      const value = plain.get(name) ?? this.store.secrets.get(name)
      if (value !== undefined) secrets.set(name, value)
    }
    const passphrase = config.env[SECRET_KEY_ENV]
    if (!passphrase && secrets.size > 0) {
      // sharedSecretProblems refused such a change at the admin API and at start; this is a config from elsewhere.
      this.log(`config sync: not shared: it holds credentials and ${SECRET_KEY_ENV} is not set`)
      return
    }
    let version: number
    try {
      version = await this.shared.redis.incr(this.shared.key('config', 'version'))
    } catch (err) {
      this.unpublished = config
      this.log(
        `config sync: this change is not shared yet (Redis: ${(err as Error).message}); it is when Redis answers`,
      )
      return
    }
    const body = JSON.stringify({ config: shared, missingEnv: config.missingEnv } satisfies Body)
    const doc: SharedDocument = { format: SHARED_CONFIG_FORMAT, version, from: this.id, body }
    if (passphrase) doc.sealed = await seal(passphrase, secrets, associated(doc))
    const text = JSON.stringify(doc)
    if (Buffer.byteLength(text) > MAX_SHARED_DOCUMENT_BYTES) {
      this.unpublished = undefined
      this.refuse(version, this.id, `it is larger than ${MAX_SHARED_DOCUMENT_BYTES} bytes`, 'not shared')
      return
    }
    let stored: unknown
    try {
      stored = await this.shared.redis.eval(script, 1, this.docKey, String(version), text, this.channel)
    } catch (err) {
      this.unpublished = config
      this.log(
        `config sync: this change is not shared yet (Redis: ${(err as Error).message}); it is when Redis answers`,
      )
      return
    }
    this.unpublished = undefined
    if (stored === 1) {
      this.seen = Math.max(this.seen, version)
      return
    }
    // Redis holds another instance's document, as new or newer (a seed that lost the race, two changes at once):
    // that one is the group's config, here too.
    await this.pull()
  }

  /** Applies Redis's document if it is newer than this config; false when Redis holds none. */
  private async pull(): Promise<boolean> {
    if (this.closed) return true
    // GETRANGE reads at most one byte past the bound: an oversized value is refused without being loaded whole.
    const buf = await this.shared.redis.getrangeBuffer(this.docKey, 0, MAX_SHARED_DOCUMENT_BYTES)
    if (buf.length === 0) return false
    let doc: SharedDocument
    try {
      doc = parseDocument(buf)
    } catch (err) {
      if (!(err instanceof Refused)) throw err
      this.refuse(0, 'unknown', err.message)
      return true
    }
    if (doc.version <= this.seen) return true
    this.seen = doc.version
    try {
      this.applyDocument(doc, await this.secretsOf(doc))
    } catch (err) {
      if (!(err instanceof Refused)) throw err
      this.refuse(doc.version, doc.from, err.message)
    }
    return true
  }

  private async secretsOf(doc: SharedDocument): Promise<Map<string, string>> {
    const passphrase = this.store.current.env[SECRET_KEY_ENV]
    if (!doc.sealed) {
      // With a key, only sealed documents are trusted: an unsealed one could come from anyone who reaches Redis.
      if (passphrase) throw new Refused(`it is not sealed, and this instance has ${SECRET_KEY_ENV}`)
      return new Map()
    }
    if (!passphrase) throw new Refused(`its credentials are sealed and ${SECRET_KEY_ENV} is not set here`)
    return open(passphrase, doc.sealed, associated(doc))
  }

  private applyDocument(doc: SharedDocument, secrets: Map<string, string>): void {
    const body = parseBody(doc.body)
    const current = this.store.current
    const candidate = { ...body.config } as GatewayConfig
    delete candidate.redis
    if (current.raw.redis !== undefined) candidate.redis = current.raw.redis
    const problems = configProblems(candidate)
    if (problems.length > 0) {
      throw new Refused(`it is not a valid config here: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`)
    }
    const lacking = resolveConfig(candidate, current.env, {
      get: (n) => secrets.get(n) ?? this.store.secrets.get(n),
    }).missingEnv.filter((n) => !body.missingEnv.includes(n))
    if (lacking.length > 0) {
      throw new Refused(`it needs environment variables this instance lacks: ${lacking.join(', ')}`)
    }
    const mine = shareable(current.raw)
    const same =
      JSON.stringify(mine.config) === JSON.stringify(withoutRedis(candidate)) &&
      [...secrets].every(([n, v]) => (mine.plain.get(n) ?? this.store.secrets.get(n)) === v)
    if (same) {
      // Already this config (a restart with an up-to-date file): nothing to rebuild or rewrite.
      return
    }
    // Every credential field is stated by the group's accepted change: one moved to another origin keeps its
    // value there as it did on the publisher (see origin-change.ts).
    const given = secretFields(structuredClone(candidate)).map((f) => f.secretName)
    this.applyingRemote = true
    try {
      this.store.apply(candidate, new Map(secrets), given)
    } catch (err) {
      throw new Refused(`applying it failed: ${(err as Error).message}`)
    } finally {
      this.applyingRemote = false
    }
    this.log(`config sync: applied shared config version ${doc.version} from instance ${doc.from}`)
  }

  private refuse(version: number, from: string, why: string, outcome = 'refused; this instance keeps its config') {
    const message = `shared config version ${version} from instance ${from}: ${outcome}: ${why}`
    this.log(`config sync: ${message}`)
    this.opts.alerts?.raise({
      kind: 'config_sync',
      level: 'critical',
      message,
      details: { version, from, reason: why },
      dedupeKey: `config_sync:${this.id}:${version}:${from}`,
    })
  }
}
