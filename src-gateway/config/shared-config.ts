import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto'
import type { Alerts } from '../alerts/alerts.js'
import type { LoadedConfig } from './load.js'
import { resolveConfig } from './load.js'
import type { GatewayConfig } from './schema.js'
import { referencedSecrets, sealPlainSecrets, secretFields } from './secret-fields.js'
import type { ConfigStore } from './store.js'
import { configProblems } from './validate.js'

/**
 * Config shared by the instances of one Postgres (config `database`) or, without one, of one Redis (config
 * `redis`): every change accepted through an instance's ConfigStore is stored in the backend with a version it
 * hands out and announced (Postgres: the `switchyard_config` row and NOTIFY; Redis: `key('config')`, INCR and
 * PUBLISH); the others take it through their own ConfigStore (validated, secrets into their own store, file
 * written). With both, Postgres holds it (it is durable) and Redis carries no config.
 *
 * The document holds the config as written to the file, credentials as `${secret:…}` references, without the
 * `redis` and `database` sections (each instance's own file says where they are). The referenced secret values
 * travel sealed: AES-256-GCM under a key derived by scrypt from SWITCHYARD_SECRET_KEY with a fresh salt and IV
 * per document, with the rest of the document as associated data, so whoever can write to the backend cannot
 * read a key, nor point a provider elsewhere and have the instances send it its key, nor start a command of
 * their choosing as an MCP server, nor replay an old version under a newer number. That is why `redis` and
 * `database` require SWITCHYARD_SECRET_KEY even for a config without stored credentials: the backend is not
 * trusted with the config.
 *
 * At start the backend's document wins over the file when it differs: it is the newest change the group
 * accepted. A first instance (no document yet) stores its file's config. A change made while the backend was
 * unreachable is published when it returns, and then wins.
 */

export const SHARED_CONFIG_FORMAT = 'switchyard-shared-config/1'
/** The largest document read from the backend; a config is kilobytes, so anything near this is not one of ours. */
export const MAX_SHARED_DOCUMENT_BYTES = 4 * 1024 * 1024
const SECRET_KEY_ENV = 'SWITCHYARD_SECRET_KEY'
/** How long a start waits for the config channel's subscription before it reads the backend's document anyway. */
const SUBSCRIBE_WAIT_MS = 2000
/**
 * How often an instance compares the backend's version counter with its own: an announcement lost in a
 * reconnect, or a catch-up that failed because the connection was not writable yet, is made good within this.
 */
const CHECK_EVERY_MS = 5000
const INSTANCE_ID = /^[0-9a-f]{8}$/
const SALT_BYTES = 16
const IV_BYTES = 12
const TAG_BYTES = 16
/** Apart from the random salt, so this key never equals the secret file's (derived from the same passphrase). */
const KDF_CONTEXT = `${SHARED_CONFIG_FORMAT}:`

/** How often a change is published again after losing to a seed, the first time or after another one. */
const PUBLISH_TRIES = 3

/** What the backend holds. */
interface SharedDocument {
  format: string
  version: number
  /** The publishing instance (random per process), for log lines. */
  from: string
  /** Set on a first instance's file config (SharedConfigBackend.store's `seed`), which a change made meanwhile replaces. */
  seed?: true
  /** JSON of Body: kept as the exact string the seal authenticates. */
  body: string
  /** The secret values, sealed; the seal also authenticates the rest. */
  sealed: { salt: string; box: string }
}

interface Body {
  config: GatewayConfig
  /** `${env:…}` names the publisher lacked too: lacking them here is no reason to refuse the document. */
  missingEnv: string[]
}

/**
 * The config without the sections no instance takes from another: where its Redis and its Postgres are (each
 * instance's own file says; a shared document must never redirect an instance's state or log, and the URLs carry
 * passwords).
 */
function withoutOwnBackends(raw: GatewayConfig): GatewayConfig {
  const { redis: _redis, database: _database, ...rest } = raw
  return rest
}

interface SecretSource {
  get(name: string): string | undefined
}

/** A document's body for `config`, and the values of the credentials it references (plain ones or stored). */
function documentParts(config: LoadedConfig, stored: SecretSource): { body: string; secrets: Map<string, string> } {
  const { config: shared, plain, names } = shareable(config.raw)
  const secrets = new Map<string, string>()
  for (const name of names) {
    const value = plain.get(name) ?? stored.get(name)
    if (value !== undefined) secrets.set(name, value)
  }
  return { body: JSON.stringify({ config: shared, missingEnv: config.missingEnv } satisfies Body), secrets }
}

/** The shareable part of a raw config, plain credentials turned into references, and their secret names. */
function shareable(raw: GatewayConfig): { config: GatewayConfig; plain: Map<string, string>; names: Set<string> } {
  const { raw: config, values } = sealPlainSecrets(withoutOwnBackends(raw))
  return { config, plain: values, names: referencedSecrets(config) }
}

/**
 * Why an instance with `redis` or `database` (`backend` says which the config names) cannot start:
 * SWITCHYARD_SECRET_KEY, which seals and authenticates the config the instances share, is not set. Undefined when
 * it is.
 */
export function sharedConfigProblem(env: NodeJS.ProcessEnv, backend = 'redis'): string | undefined {
  if (env[SECRET_KEY_ENV]) return undefined
  return `${SECRET_KEY_ENV} is not set: with ${backend}, the instances share their config (credentials included) sealed and authenticated under it. Set it, the same on every instance`
}

/**
 * `config` as a shared document of `version` (its referenced credentials from `secrets`, sealed under
 * `passphrase`): what `switchyard migrate` stores for the gateways to take at their start.
 */
export async function sealedConfigDocument(
  config: LoadedConfig,
  secrets: SecretSource,
  passphrase: string,
  version: number,
): Promise<string> {
  const { body, secrets: values } = documentParts(config, secrets)
  const unsealed: Omit<SharedDocument, 'sealed'> = {
    format: SHARED_CONFIG_FORMAT,
    version,
    from: randomBytes(4).toString('hex'),
    body,
  }
  return JSON.stringify({ ...unsealed, sealed: seal(await sealingKey(passphrase), values, associated(unsealed)) })
}

/** What storing a document came to: kept, lost to a newer change, or found a newer first-start seed. */
export type StoreOutcome = 'stored' | 'older' | 'after-seed'

/**
 * Where the shared document lives and how its changes are announced: Redis (shared-config-redis.ts) or Postgres
 * (store/pg/config-store.ts). Each store is atomic: no instance reads a version before its document.
 */
export interface SharedConfigBackend {
  /** For log lines: 'Redis' or 'Postgres'. */
  readonly name: string
  available(): boolean
  /**
   * Hears announcements: `heard(version)` for a stored change, `heard(0)` when the announcements may have been
   * missed (the listening connection came back) and everything is to be re-read. Resolves once listening.
   */
  watch(heard: (version: number) => void): Promise<void>
  /** Called when the backend is reachable again after an outage; returns the unsubscribe. */
  onUp(listener: () => void): () => void
  /** The highest version handed out (0: none, or the backend lost its data). */
  counter(): Promise<number>
  /** A fresh version, above every one handed out before. */
  nextVersion(): Promise<number>
  /**
   * Stores `document` as `version` and announces it, unless it holds a newer one: then 'older', or 'after-seed'
   * when that newer one is a seed (this change is asked for again under a fresh version). A `seed` is stored
   * only when the backend holds no document.
   */
  store(version: number, document: string, seed: boolean): Promise<StoreOutcome>
  /** The stored document, at most `maxBytes + 1` bytes of it (so a larger one is seen to be larger); empty: none. */
  read(maxBytes: number): Promise<Buffer>
  close(): void
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
const associated = (d: Omit<SharedDocument, 'sealed'>) =>
  Buffer.from(`${d.format}\n${d.version}\n${d.from}\n${d.seed ? 'seed' : 'change'}\n${d.body}`)

/** A fresh salt and its key: derived before a version is taken, so the version is stored moments after. */
async function sealingKey(passphrase: string): Promise<{ salt: Buffer; key: Buffer }> {
  const salt = randomBytes(SALT_BYTES)
  return { salt, key: await deriveKey(passphrase, salt) }
}

function seal({ salt, key }: { salt: Buffer; key: Buffer }, secrets: Map<string, string>, aad: Buffer) {
  const iv = randomBytes(IV_BYTES)
  const c = createCipheriv('aes-256-gcm', key, iv)
  c.setAAD(aad)
  const body = Buffer.concat([c.update(JSON.stringify(Object.fromEntries(secrets)), 'utf8'), c.final()])
  return { salt: salt.toString('base64'), box: Buffer.concat([iv, c.getAuthTag(), body]).toString('base64') }
}

/** Why a document is not taken; `version` and `from` when it got as far as saying them. */
class Refused extends Error {
  constructor(
    message: string,
    readonly version = 0,
    readonly from = 'unknown',
  ) {
    super(message)
  }
}

/** The document's secrets, once its seal proves it was made with this key and not altered since. */
async function open(passphrase: string, doc: SharedDocument): Promise<Map<string, string>> {
  const refused = (why: string) => new Refused(why, doc.version, doc.from)
  const box = Buffer.from(doc.sealed.box, 'base64')
  if (box.length < IV_BYTES + TAG_BYTES) throw refused('its sealed secrets are truncated')
  const key = await deriveKey(passphrase, Buffer.from(doc.sealed.salt, 'base64'))
  let values: unknown
  try {
    const d = createDecipheriv('aes-256-gcm', key, box.subarray(0, IV_BYTES))
    d.setAAD(associated(doc))
    d.setAuthTag(box.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
    values = JSON.parse(Buffer.concat([d.update(box.subarray(IV_BYTES + TAG_BYTES)), d.final()]).toString('utf8'))
  } catch {
    throw refused(
      `it does not open with this instance's ${SECRET_KEY_ENV} (a different key, or the document was altered)`,
    )
  }
  if (typeof values !== 'object' || values === null) throw refused('its sealed secrets are not a map')
  const out = new Map<string, string>()
  for (const [name, value] of Object.entries(values)) {
    if (typeof value !== 'string') throw refused(`its secret '${name}' is not a string`)
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
  // `from` lands in log lines and alerts before the seal is checked: only an id as instances make them.
  if (typeof d.from !== 'string' || !INSTANCE_ID.test(d.from)) throw new Refused('its instance id is malformed')
  if (typeof d.body !== 'string') throw new Refused('it lacks its body', d.version)
  if (d.seed !== undefined && d.seed !== true) throw new Refused('its seed flag is malformed', d.version, d.from)
  const s = d.sealed
  // Only someone without the key would publish a document without its seal.
  if (s === undefined) throw new Refused('it is not sealed', d.version, d.from)
  if (typeof s?.salt !== 'string' || typeof s.box !== 'string') {
    throw new Refused('its sealed part is malformed', d.version, d.from)
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
  backend: SharedConfigBackend
  /** SWITCHYARD_SECRET_KEY, the same on every instance (see sharedConfigProblem). */
  passphrase: string
  alerts?: Alerts
  /** One line per event worth an operator's eye; never given a secret. */
  log?: (line: string) => void
}

/** Keeps one ConfigStore in step with the shared document; see the top of this file. */
export class SharedConfig {
  /**
   * The highest version published here, applied, or refused once its seal proved it genuine (0: none yet, or
   * the backend lost its data). A version nobody authenticated never counts, or it could make later ones look old.
   */
  private seen = 0
  /** A local change the backend has not stored yet (it was unreachable): published when it returns. */
  private unpublished: LoadedConfig | undefined
  /** Set while a document from the backend is applied, so that apply is not published back. */
  private applyingRemote = false
  /** Publishing and applying run one at a time, in order, so an instance never applies its own change back. */
  private queue: Promise<void> = Promise.resolve()
  private closed = false
  private readonly id = randomBytes(4).toString('hex')
  private readonly store: ConfigStore
  private readonly backend: SharedConfigBackend
  private readonly log: (line: string) => void
  private stopWatching: (() => void) | undefined
  private checkTimer: NodeJS.Timeout | undefined
  /** The next change's salt and key, derived ahead so that publishing does not wait for scrypt. */
  private sealing: Promise<{ salt: Buffer; key: Buffer }> | undefined
  /** A periodic check is waiting in the queue: the next one is not added behind it. */
  private checking = false
  /** The last refusal logged, so a document refused on every check is said once. */
  private lastRefusal = ''

  constructor(private readonly opts: SharedConfigOptions) {
    this.store = opts.store
    this.backend = opts.backend
    this.log = opts.log ?? ((line) => process.stderr.write(`switchyard: ${line}\n`))
  }

  /** Listens, then takes the backend's document (or seeds it with this config); resolves once that is done. */
  async start(): Promise<void> {
    let started = false
    this.sealing = sealingKey(this.opts.passphrase)
    this.sealing.catch(() => undefined)
    const subscribed = this.backend
      .watch((version) => {
        if (this.closed) return
        // Announcements missed while the listening connection was down: catch up (once the start's own sync ran).
        if (version === 0) {
          if (started) this.enqueue(() => this.sync())
        } else if (Number.isSafeInteger(version) && version > this.seen) {
          this.enqueue(async () => void (await this.pull()))
        }
      })
      .catch((err: Error) => {
        this.log(`config sync: cannot listen for ${this.backend.name}'s config changes: ${err.message}`)
      })
    this.store.onApply((next) => {
      if (this.applyingRemote || this.closed) return
      this.enqueue(() => this.publish(next))
    })
    // Messages are not replayed after an outage: catch up when the backend returns (or publish what changed
    // here), and again once the listening connection is back (heard(0)), for a change announced between the two.
    this.stopWatching = this.backend.onUp(() => this.enqueue(() => this.sync()))
    this.checkTimer = setInterval(() => {
      if (this.checking || !this.backend.available()) return
      this.checking = true
      this.enqueue(() => this.sync().finally(() => (this.checking = false)))
    }, CHECK_EVERY_MS)
    this.checkTimer.unref()
    if (!this.backend.available()) {
      started = true
      this.log(`config sync: ${this.backend.name} is unreachable; serving the config file until it answers`)
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
    clearInterval(this.checkTimer)
    this.stopWatching?.()
    this.backend.close()
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((err: Error) => this.log(`config sync: ${err.message}`))
  }

  /** After a start or an outage: publish a change the backend missed, else take its document, else seed it. */
  private async sync(): Promise<void> {
    if (this.closed) return
    // A counter below what this instance saw means the backend lost its data (Redis restarted without
    // persistence, a database restored or replaced): versions start over, and the ones to come must not be
    // taken for old ones.
    const counter = await this.backend.counter()
    if (!(counter >= this.seen)) this.seen = 0
    if (this.unpublished) return this.publish(this.unpublished)
    if (this.seen > 0 && counter === this.seen) return
    const found = await this.pull()
    if (!found) await this.publish(this.store.current, true)
  }

  /** A fresh salt and key for this change, and the next one's derivation started. */
  private nextSealing(): Promise<{ salt: Buffer; key: Buffer }> {
    const now = this.sealing ?? sealingKey(this.opts.passphrase)
    this.sealing = sealingKey(this.opts.passphrase)
    // A failed derivation is the publish's to report, when it uses it.
    this.sealing.catch(() => undefined)
    return now
  }

  /** Publishes a config this instance accepted (or, `seed`, its file's at a first start). */
  private async publish(config: LoadedConfig, seed = false): Promise<void> {
    if (this.closed) return
    const { body, secrets } = documentParts(config, this.store.secrets)
    const sealing = await this.nextSealing()
    for (let tries = 1; ; tries++) {
      const stored = await this.attempt(config, body, secrets, sealing, seed)
      if (stored === 'kept') return
      // A seed that lost the race, or a change that lost to a newer one (two at once): the backend's is the group's.
      if (stored === 'older' || tries === PUBLISH_TRIES) return void (await this.pull())
    }
  }

  /** One attempt: a fresh version, the sealed document, the store; 'kept' also when it must wait for the backend. */
  private async attempt(
    config: LoadedConfig,
    body: string,
    secrets: Map<string, string>,
    sealing: { salt: Buffer; key: Buffer },
    seed: boolean,
  ): Promise<'kept' | 'older' | 'after-seed'> {
    const notYet = (err: unknown) => {
      // A seed is not kept for later: once the backend answers, what it holds by then wins over a file.
      if (seed) throw err
      this.unpublished = config
      const name = this.backend.name
      this.log(
        `config sync: this change is not shared yet (${name}: ${(err as Error).message}); it is when ${name} answers`,
      )
      return 'kept' as const
    }
    let version: number
    try {
      version = await this.backend.nextVersion()
    } catch (err) {
      return notYet(err)
    }
    const unsealed: Omit<SharedDocument, 'sealed'> = {
      format: SHARED_CONFIG_FORMAT,
      version,
      from: this.id,
      ...(seed ? { seed: true as const } : {}),
      body,
    }
    const text = JSON.stringify({ ...unsealed, sealed: seal(sealing, secrets, associated(unsealed)) })
    if (Buffer.byteLength(text) > MAX_SHARED_DOCUMENT_BYTES) {
      this.unpublished = undefined
      this.refuse(version, this.id, `it is larger than ${MAX_SHARED_DOCUMENT_BYTES} bytes`, 'not shared')
      return 'kept'
    }
    let stored: StoreOutcome
    try {
      stored = await this.backend.store(version, text, seed)
    } catch (err) {
      return notYet(err)
    }
    this.unpublished = undefined
    if (stored === 'stored') {
      this.seen = Math.max(this.seen, version)
      return 'kept'
    }
    return stored
  }

  /** Applies the backend's document if it is newer than this config; false when the backend holds none. */
  private async pull(): Promise<boolean> {
    if (this.closed) return true
    // At most one byte past the bound: an oversized value is refused without being loaded whole.
    const buf = await this.backend.read(MAX_SHARED_DOCUMENT_BYTES)
    if (buf.length === 0) return false
    let doc: SharedDocument
    let secrets: Map<string, string>
    try {
      doc = parseDocument(buf)
      if (doc.version <= this.seen) return true
      secrets = await open(this.opts.passphrase, doc)
    } catch (err) {
      if (!(err instanceof Refused)) throw err
      // Not counted as seen: a version nobody authenticated must not make the group's next ones look old.
      this.refuse(err.version, err.from, err.message)
      return true
    }
    this.seen = doc.version
    try {
      this.applyDocument(doc, secrets)
    } catch (err) {
      if (!(err instanceof Refused)) throw err
      this.refuse(doc.version, doc.from, err.message)
    }
    return true
  }

  private applyDocument(doc: SharedDocument, secrets: Map<string, string>): void {
    const body = parseBody(doc.body)
    const current = this.store.current
    const candidate = { ...body.config } as GatewayConfig
    delete candidate.redis
    delete candidate.database
    if (current.raw.redis !== undefined) candidate.redis = current.raw.redis
    if (current.raw.database !== undefined) candidate.database = current.raw.database
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
      JSON.stringify(mine.config) === JSON.stringify(withoutOwnBackends(candidate)) &&
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
    if (message !== this.lastRefusal) this.log(`config sync: ${message}`)
    this.lastRefusal = message
    this.opts.alerts?.raise({
      kind: 'config_sync',
      level: 'critical',
      message,
      details: { version, from, reason: why },
      dedupeKey: `config_sync:${this.id}:${version}:${from}`,
    })
  }
}
