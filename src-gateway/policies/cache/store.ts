import { scryptSync } from 'node:crypto'
import type { Statement } from 'better-sqlite3'
import { CACHE_DEFAULTS, type CacheConfig } from '../../config/policies/cache.js'
import type { ChatResponse, Usage } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import type { SharedState } from '../../shared-state/redis.js'
import type { Db } from '../../store/db.js'
import { MAX_CACHED_ANSWER_CHARS } from './canonical.js'
import { SemanticIndex, unitVector } from './semantic-index.js'
import { isEntryKey, type SharedCacheStats, SharedCacheStore } from './shared-store.js'

/** Seals stored answers at rest (AES-256-GCM body encryption); text in, text out. */
export interface PayloadCipher {
  seal(text: string): string
  open(text: string): string
}

export interface CacheHit {
  key: string
  response: ChatResponse
  provider: string
  model: string
  /** When the answer was stored, epoch ms. */
  createdAt: number
  /** The stored answer's usage: what the call would have cost, for the log's saved cost. */
  usage?: Usage
  costUsd?: number
}

export interface SemanticHit extends CacheHit {
  similarity: number
}

export interface CachePut {
  key: string
  namespace: string
  /** The last user message's embedding, for semantic lookups (kept only when semantic mode has a model). */
  vector?: Float32Array
  response: ChatResponse
  provider: string
  model: string
  costUsd?: number
  /** This entry's lifetime, when a route or key overrides the gateway's. */
  ttlSeconds?: number
}

export interface CacheStats {
  entries: number
  /** What the entries take, stored answers and vectors, approximately as on disk. */
  bytes: number
  /** Hits and misses since the gateway started. */
  hits: number
  misses: number
  /** The stored cost of every hit since the gateway started (entries stored with a cost only). */
  savedUsd: number
}

export interface ResponseCacheOptions {
  clock: () => number
  cipher?: PayloadCipher
  /** Write queued changes at most this long after the first; default 200 ms. */
  flushMs?: number
  /** Write as soon as this many changes are queued; default 500. */
  maxBatch?: number
  /**
   * The Redis several instances share (config `redis`), once connected: exact entries then live there for
   * every instance, and a clear reaches every instance's own (semantic) entries.
   */
  shared?: () => SharedState | undefined
  /**
   * The secret every instance shares (SWITCHYARD_SECRET_KEY, required with `redis`): shared entries are
   * authenticated under it, so a writer to Redis without it cannot plant answers. Without it nothing is shared.
   */
  sharedSecret?: string
}

interface Entry {
  key: string
  namespace: string
  provider: string
  model: string
  createdAt: number
  expiresAt: number
  lastHitAt: number
  hits: number
  bytes: number
  costUsd: number | undefined
  /** A unit vector, when the entry can answer semantic lookups. */
  vector: Float32Array | undefined
  /** The answer as stored (sealed when there is a cipher), until it is in SQLite; kept for good without a db. */
  payload: string | undefined
}

/** The row's key, times and counters, about what SQLite spends on them beside the payload and vector. */
const ROW_OVERHEAD = 256
/** Expired entries are also dropped at most this often on their own, so they don't sit in the caps. */
const SWEEP_MS = 60_000

const iso = (ms: number) => new Date(ms).toISOString()

// What the in-memory index is rebuilt from. response_json comes after these, last in the row, so reading
// them at start never walks a payload's overflow pages.
const INDEX_COLUMNS = `key, namespace, model, provider, created_at, expires_at, last_hit_at, hits, bytes, cost_usd,
  embedding_model, embedding`

interface Row {
  key: string
  namespace: string
  model: string
  provider: string
  created_at: string
  expires_at: string
  last_hit_at: string
  hits: number
  bytes: number
  cost_usd: number | null
  embedding_model: string | null
  embedding: Buffer | null
}

interface Statements {
  upsert: Statement
  touch: Statement
  remove: Statement
  read: Statement
  clearAll: Statement
  clearNamespace: Statement
  writeBatch: (deletes: string[], writes: Entry[], touched: Entry[], embeddingModel: string | undefined) => void
}

/**
 * Cached answers: an in-memory index (LRU by last use) over payloads kept in SQLite. Lookups read the
 * index and one row by primary key; new entries, hit counters and evictions are queued and written in
 * one transaction off the request path, as the request log is. Without a db everything stays in memory.
 */
export class ResponseCache {
  /** Key → entry, least recently used first (a use moves an entry to the end). */
  private readonly index = new Map<string, Entry>()
  private readonly semantic = new SemanticIndex()
  private readonly sql: Statements | undefined
  private readonly clock: () => number
  private readonly cipher: PayloadCipher | undefined
  private readonly flushMs: number
  private readonly maxBatch: number
  private settings: CacheConfig
  private totalBytes = 0
  private hits = 0
  private misses = 0
  private savedUsd = 0
  private lastSweep = 0
  private readonly pendingWrites = new Map<string, Entry>()
  private readonly pendingDeletes = new Set<string>()
  private readonly touched = new Set<Entry>()
  private timer: NodeJS.Timeout | undefined
  private immediate: NodeJS.Immediate | undefined
  private closed = false
  private readonly sharedState: (() => SharedState | undefined) | undefined
  private readonly sharedSecret: string | undefined
  private sharedStore: { state: SharedState; store: SharedCacheStore } | undefined
  /**
   * With shared state: the semantic entries in Redis that this instance can search, key → namespace and
   * expiry, oldest added first (held to the cache's entry cap). The answers stay in Redis.
   */
  private readonly sharedVectors = new Map<string, { namespace: string; expiresAt: number }>()
  private readonly sharedSemantic = new SemanticIndex()
  /** The start's read of the semantic entries already in Redis, which the first semantic lookup waits for. */
  private sharedLoad: Promise<void> | undefined

  constructor(
    private readonly db: Db | undefined,
    config: CacheConfig,
    opts: ResponseCacheOptions,
  ) {
    this.settings = config
    this.clock = opts.clock
    this.cipher = opts.cipher
    this.flushMs = opts.flushMs ?? 200
    this.maxBatch = opts.maxBatch ?? 500
    this.sharedState = opts.shared
    this.sharedSecret = opts.sharedSecret
    if (db) {
      this.sql = prepare(db)
      this.load(db)
    }
    this.lastSweep = this.clock()
  }

  get config(): CacheConfig {
    return this.settings
  }

  private get maxEntries(): number {
    return this.settings.maxEntries ?? CACHE_DEFAULTS.maxEntries
  }
  private get maxBytes(): number {
    return (this.settings.maxMb ?? CACHE_DEFAULTS.maxMb) * 1024 * 1024
  }
  /** The model that made the stored vectors; without one, vectors are not kept. */
  private get embeddingModel(): string | undefined {
    return this.settings.semantic?.embeddingModel
  }

  /**
   * The entries in Redis when the gateway shares state, made on first use with the subscription that lets a
   * clear made through another instance drop this one's own entries too.
   */
  private shared(): SharedCacheStore | undefined {
    const state = this.sharedState?.()
    if (!state || !this.sharedSecret) return undefined
    if (this.sharedStore?.state !== state) {
      const channel = state.key('cache', 'clear')
      const added = state.key('cache', 'added')
      const sub = state.subscriber()
      sub.on('message', (ch: string, message: string) => {
        if (ch === channel) this.clear(message === '' ? undefined : message)
        else if (ch === added && isEntryKey(message)) void this.indexShared([message])
      })
      // Messages sent while this instance was cut off are lost: read the entries again once it is back.
      sub.on('ready', () => {
        if (this.sharedLoad) this.sharedLoad = this.loadShared()
      })
      void sub.subscribe(channel, added).catch(() => undefined)
      // Derived once, when the shared cache is first used; scrypt so a weak passphrase is slow to guess from MACs.
      const macKey = scryptSync(this.sharedSecret, 'switchyard shared cache', 32)
      this.sharedStore = { state, store: new SharedCacheStore(state, macKey) }
      this.sharedVectors.clear()
      this.sharedSemantic.clear()
      this.sharedLoad = this.loadShared()
    }
    return this.sharedStore.store
  }

  /** Indexes the newest semantic entries in Redis, up to the entry cap; Redis down leaves the index as it is. */
  private async loadShared(): Promise<void> {
    const store = this.sharedStore?.store
    if (!store || !this.embeddingModel) return
    try {
      const keys = await store.recentKeys(this.maxEntries)
      // Oldest first, so the cap drops the entries closest to expiry as Redis does.
      keys.reverse()
      for (let i = 0; i < keys.length; i += 500) await this.indexShared(keys.slice(i, i + 500))
    } catch {
      // A miss until Redis answers; the subscriber's reconnect reads again.
    }
  }

  /** Reads these entries' vectors from Redis and indexes the authentic ones of this embedding model. */
  private async indexShared(keys: string[]): Promise<void> {
    const store = this.sharedStore?.store
    const model = this.embeddingModel
    if (!store || !model) return
    const found = await store.vectors(keys, model).catch(() => [])
    // The model may have changed (or the cache been replaced) while Redis answered.
    if (this.sharedStore?.store !== store || this.embeddingModel !== model) return
    for (const v of found) {
      const unit = unitVector(v.vector)
      if (!unit) continue
      this.dropShared(v.key)
      this.sharedVectors.set(v.key, { namespace: v.namespace, expiresAt: v.expiresAt })
      this.sharedSemantic.add(v.namespace, v.key, unit)
    }
    while (this.sharedVectors.size > this.maxEntries) {
      const oldest = this.sharedVectors.keys().next().value
      if (oldest === undefined) break
      this.dropShared(oldest)
    }
  }

  private dropShared(key: string): void {
    const known = this.sharedVectors.get(key)
    if (!known) return
    this.sharedVectors.delete(key)
    this.sharedSemantic.remove(known.namespace, key)
  }

  /**
   * The exact entry under `key`, counting a hit, or a miss when `missIsFinal` (no semantic lookup follows).
   * A Promise only when the entries are in Redis; Redis unreachable or slow is a miss, never an error.
   */
  lookup(key: string, missIsFinal: boolean): CacheHit | undefined | Promise<CacheHit | undefined> {
    const shared = this.shared()
    if (shared) return this.lookupShared(shared, key, missIsFinal)
    const hit = this.getExact(key)
    if (!hit && missIsFinal) this.misses++
    return hit
  }

  private async lookupShared(shared: SharedCacheStore, key: string, missIsFinal: boolean) {
    const found = await shared.get(key, missIsFinal).catch(() => undefined)
    if (!found) return undefined
    let response: ChatResponse
    try {
      response = JSON.parse(this.cipher ? this.cipher.open(found.payload) : found.payload) as ChatResponse
    } catch {
      // Sealed under another instance's body key: this one cannot read it.
      return undefined
    }
    const hit: CacheHit = {
      key,
      response,
      provider: found.provider,
      model: found.model,
      createdAt: found.createdAt,
    }
    if (response.usage) hit.usage = response.usage
    if (found.costUsd !== undefined) hit.costUsd = found.costUsd
    return hit
  }

  /** The answer stored under exactly this key, if it is still fresh. Counts a hit. */
  getExact(key: string): CacheHit | undefined {
    const entry = this.index.get(key)
    return entry && this.hit(entry, this.clock())
  }

  /**
   * The fresh answer in `namespace` whose vector is most similar to `vector`, at `threshold` or above. Counts a
   * hit. A Promise only when the entries are in Redis; Redis unreachable is a miss, never an error.
   */
  getSemantic(
    namespace: string,
    vector: Float32Array,
    threshold: number,
  ): SemanticHit | undefined | Promise<SemanticHit | undefined> {
    const unit = unitVector(vector)
    if (!unit) return undefined
    const shared = this.shared()
    if (shared) return this.semanticShared(shared, namespace, unit, threshold)
    const now = this.clock()
    const expired: Entry[] = []
    const found = this.semantic.nearest(namespace, unit, threshold, (key) => {
      const e = this.index.get(key)
      if (e && e.expiresAt <= now) expired.push(e)
      return e !== undefined && e.expiresAt > now
    })
    for (const e of expired) this.remove(e)
    const entry = found && this.index.get(found.key)
    if (!found || !entry) return undefined
    const hit = this.hit(entry, now)
    return hit && { ...hit, similarity: found.similarity }
  }

  /** Searches the index of Redis's entries; an entry found gone (expired, evicted, cleared) leaves it for the next. */
  private async semanticShared(
    shared: SharedCacheStore,
    namespace: string,
    unit: Float32Array,
    threshold: number,
  ): Promise<SemanticHit | undefined> {
    await this.sharedLoad
    // A few tries: each entry found gone leaves the index, so a burst of evictions cannot make one lookup long.
    for (let tries = 0; tries < 3; tries++) {
      const now = this.clock()
      const found = this.sharedSemantic.nearest(namespace, unit, threshold, (key) => {
        const known = this.sharedVectors.get(key)
        return known !== undefined && known.expiresAt > now
      })
      if (!found) return undefined
      const hit = await this.lookupShared(shared, found.key, false)
      if (hit) return { ...hit, similarity: found.similarity }
      this.dropShared(found.key)
    }
    return undefined
  }

  /** A lookup that found nothing usable; only the caller knows when every kind of lookup has missed. */
  recordMiss(): void {
    const shared = this.shared()
    if (shared) void shared.recordMiss().catch(() => undefined)
    else this.misses++
  }

  /** Stores an answer (replacing any under the same key); written to SQLite later, in a batch. */
  put(p: CachePut): void {
    const json = JSON.stringify(p.response)
    const payload = this.cipher ? this.cipher.seal(json) : json
    const vector = p.vector && this.embeddingModel ? unitVector(p.vector) : undefined
    const bytes = Buffer.byteLength(payload) + (vector?.byteLength ?? 0) + ROW_OVERHEAD
    // One answer bigger than the whole cache would only push everything else out, then itself; and one
    // over the per-answer cap is not kept whether it came streamed (see ResponseAccumulator) or whole.
    if (json.length > MAX_CACHED_ANSWER_CHARS || bytes > this.maxBytes) return
    const shared = this.shared()
    if (shared) {
      this.putShared(shared, p, payload, bytes, vector)
      return
    }
    const now = this.clock()
    const old = this.index.get(p.key)
    if (old) {
      this.detach(old)
      this.touched.delete(old)
    }
    const entry: Entry = {
      key: p.key,
      namespace: p.namespace,
      provider: p.provider,
      model: p.model,
      createdAt: now,
      expiresAt: now + (p.ttlSeconds ?? this.settings.ttlSeconds ?? CACHE_DEFAULTS.ttlSeconds) * 1000,
      lastHitAt: now,
      hits: 0,
      bytes,
      costUsd: p.costUsd,
      vector,
      payload,
    }
    this.attach(entry)
    if (this.sql) {
      this.pendingDeletes.delete(entry.key)
      this.pendingWrites.set(entry.key, entry)
    }
    if (now - this.lastSweep >= SWEEP_MS) this.sweep(now)
    this.evictToFit()
    this.schedule()
  }

  /** Stores the entry in Redis, then tells every instance (this one too) to index its vector. */
  private putShared(
    shared: SharedCacheStore,
    p: CachePut,
    payload: string,
    bytes: number,
    vector: Float32Array | undefined,
  ): void {
    const ttlMs = (p.ttlSeconds ?? this.settings.ttlSeconds ?? CACHE_DEFAULTS.ttlSeconds) * 1000
    const entry = { payload, provider: p.provider, model: p.model, costUsd: p.costUsd }
    const caps = { maxEntries: this.maxEntries, maxBytes: this.maxBytes }
    const model = this.embeddingModel
    const semantic = vector && model ? { vector, embeddingModel: model } : undefined
    const state = this.sharedStore?.state
    // A cache may lose writes: Redis unreachable means this answer is simply not shared.
    void shared
      .put(p.key, p.namespace, entry, ttlMs, bytes, caps, semantic)
      .then(async () => {
        if (semantic && state) await state.redis.publish(state.key('cache', 'added'), p.key)
      })
      .catch(() => undefined)
  }

  stats(): CacheStats {
    this.sweep(this.clock())
    return {
      entries: this.index.size,
      bytes: this.totalBytes,
      hits: this.hits,
      misses: this.misses,
      savedUsd: this.savedUsd,
    }
  }

  /**
   * The counters the admin API shows: with shared state, Redis's (every instance's hits and entries), else
   * this instance's; Redis unreachable shows this instance's own.
   */
  async currentStats(): Promise<CacheStats | SharedCacheStats> {
    const shared = this.shared()
    if (shared) {
      const stats = await shared.stats().catch(() => undefined)
      if (stats) return stats
    }
    return this.stats()
  }

  /**
   * An admin's clear: with shared state, the entries in Redis, and every instance's own (semantic) entries
   * through a message each one listens for; returns how many went from Redis (or from this instance).
   */
  async clearEverywhere(namespace?: string): Promise<number> {
    const state = this.sharedState?.()
    const shared = this.shared()
    const local = this.clear(namespace)
    if (!state || !shared) return local
    try {
      const cleared = await shared.clear(namespace)
      await state.redis.publish(state.key('cache', 'clear'), namespace ?? '')
      return cleared
    } catch {
      throw new GatewayError(
        'unavailable',
        "the shared cache (Redis) cannot be reached: only this instance's own entries were cleared; retry once it is back",
        { code: 'cache_unavailable' },
      )
    }
  }

  /** Drops every entry, or those of one namespace, at once (an admin action, not the request path). Returns how many. */
  clear(namespace?: string): number {
    const before = this.index.size
    for (const [key, known] of this.sharedVectors)
      if (namespace === undefined || known.namespace === namespace) this.dropShared(key)
    if (namespace === undefined) {
      this.index.clear()
      this.semantic.clear()
      this.totalBytes = 0
      this.pendingWrites.clear()
      this.pendingDeletes.clear()
      this.touched.clear()
      this.sql?.clearAll.run()
      return before
    }
    for (const e of this.index.values()) {
      if (e.namespace !== namespace) continue
      this.detach(e)
      this.pendingWrites.delete(e.key)
      this.touched.delete(e)
    }
    this.sql?.clearNamespace.run(namespace)
    return before - this.index.size
  }

  /** Takes a changed config without a restart: new caps evict at once; new entries get the new TTL. */
  apply(config: CacheConfig): void {
    const model = this.embeddingModel
    this.settings = config
    if (this.embeddingModel !== model) {
      this.dropVectors()
      // Redis's entries of the new model (another instance may have it already) replace the old model's.
      this.sharedVectors.clear()
      this.sharedSemantic.clear()
      if (this.sharedStore) this.sharedLoad = this.loadShared()
    }
    this.evictToFit()
    this.schedule()
  }

  /** Writes every queued change now. */
  flush(): void {
    clearTimeout(this.timer)
    clearImmediate(this.immediate)
    this.timer = undefined
    this.immediate = undefined
    if (!this.sql || !this.db) return
    if (this.pendingWrites.size === 0 && this.pendingDeletes.size === 0 && this.touched.size === 0) return
    const deletes = [...this.pendingDeletes]
    const writes = [...this.pendingWrites.values()]
    const touched = [...this.touched]
    this.pendingDeletes.clear()
    this.pendingWrites.clear()
    this.touched.clear()
    try {
      this.sql.writeBatch(deletes, writes, touched, this.embeddingModel)
    } catch (err) {
      // A cache may lose writes, so nothing is retried once the database is gone.
      if (!this.db.open || this.closed) return
      for (const k of deletes) this.pendingDeletes.add(k)
      for (const e of writes) this.pendingWrites.set(e.key, e)
      for (const e of touched) this.touched.add(e)
      this.timer = setTimeout(() => this.flush(), this.flushMs * 5)
      this.timer.unref()
      process.emitWarning(`response cache flush failed, will retry: ${(err as Error).message}`)
      return
    }
    // Written: from now on the payload is read back from SQLite when needed.
    for (const e of writes) e.payload = undefined
  }

  /** Writes what is queued and stops writing; the db stays open (its owner closes it). */
  close(): void {
    this.flush()
    this.closed = true
  }

  private hit(entry: Entry, now: number): CacheHit | undefined {
    if (entry.expiresAt <= now) {
      this.remove(entry)
      return undefined
    }
    const response = this.read(entry)
    if (!response) {
      // Unreadable (sealed with another key, or the row is gone): useless, so it goes.
      this.remove(entry)
      return undefined
    }
    entry.hits++
    entry.lastHitAt = now
    this.index.delete(entry.key)
    this.index.set(entry.key, entry)
    if (this.sql) {
      this.touched.add(entry)
      this.schedule()
    }
    this.hits++
    if (entry.costUsd !== undefined) this.savedUsd += entry.costUsd
    const hit: CacheHit = {
      key: entry.key,
      response,
      provider: entry.provider,
      model: entry.model,
      createdAt: entry.createdAt,
    }
    if (response.usage) hit.usage = response.usage
    if (entry.costUsd !== undefined) hit.costUsd = entry.costUsd
    return hit
  }

  private read(entry: Entry): ChatResponse | undefined {
    const text = entry.payload ?? (this.sql?.read.get(entry.key) as string | undefined)
    if (text === undefined) return undefined
    try {
      return JSON.parse(this.cipher ? this.cipher.open(text) : text) as ChatResponse
    } catch {
      return undefined
    }
  }

  private attach(e: Entry): void {
    this.index.set(e.key, e)
    if (e.vector) this.semantic.add(e.namespace, e.key, e.vector)
    this.totalBytes += e.bytes
  }

  private detach(e: Entry): void {
    this.index.delete(e.key)
    if (e.vector) this.semantic.remove(e.namespace, e.key)
    this.totalBytes -= e.bytes
  }

  /** Evicts an entry from memory now and from SQLite with the next batch. */
  private remove(e: Entry): void {
    if (this.index.get(e.key) !== e) return
    this.detach(e)
    if (!this.sql) return
    this.pendingWrites.delete(e.key)
    this.touched.delete(e)
    this.pendingDeletes.add(e.key)
    this.schedule()
  }

  private sweep(now: number): void {
    this.lastSweep = now
    for (const e of this.index.values()) if (e.expiresAt <= now) this.remove(e)
  }

  /** Least recently used first, until both caps hold. */
  private evictToFit(): void {
    while (this.index.size > this.maxEntries || this.totalBytes > this.maxBytes) {
      const oldest = this.index.values().next().value
      if (!oldest) return
      this.remove(oldest)
    }
  }

  /** Vectors of one embedding model mean nothing to another: after a change they all go (the answers stay). */
  private dropVectors(): void {
    this.semantic.clear()
    for (const e of this.index.values()) {
      if (!e.vector) continue
      e.bytes -= e.vector.byteLength
      this.totalBytes -= e.vector.byteLength
      e.vector = undefined
    }
    this.db
      ?.prepare(
        'UPDATE cache_entries SET bytes = bytes - length(embedding), embedding = NULL, embedding_model = NULL WHERE embedding IS NOT NULL',
      )
      .run()
  }

  private schedule(): void {
    if (!this.sql || this.closed) return
    const queued = this.pendingWrites.size + this.pendingDeletes.size + this.touched.size
    if (queued === 0) return
    if (queued >= this.maxBatch) {
      this.immediate ??= setImmediate(() => this.flush())
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushMs)
      this.timer.unref()
    }
  }

  /** Reads the index back, least recently used first; expired rows and surplus over the caps go at once. */
  private load(db: Db): void {
    const rows = db.prepare(`SELECT ${INDEX_COLUMNS} FROM cache_entries ORDER BY last_hit_at`)
    const now = this.clock()
    const expired: string[] = []
    for (const r of rows.iterate() as Iterable<Row>) {
      const expiresAt = Date.parse(r.expires_at)
      if (!(expiresAt > now)) {
        expired.push(r.key)
        continue
      }
      const vector =
        r.embedding && r.embedding_model === this.embeddingModel
          ? new Float32Array(
              r.embedding.buffer.slice(r.embedding.byteOffset, r.embedding.byteOffset + r.embedding.byteLength),
            )
          : undefined
      this.attach({
        key: r.key,
        namespace: r.namespace,
        provider: r.provider,
        model: r.model,
        createdAt: Date.parse(r.created_at),
        expiresAt,
        lastHitAt: Date.parse(r.last_hit_at),
        hits: r.hits,
        bytes: r.bytes,
        costUsd: r.cost_usd ?? undefined,
        vector,
        payload: undefined,
      })
    }
    db.transaction(() => {
      for (const k of expired) this.sql?.remove.run(k)
    })()
    this.evictToFit()
    this.flush()
  }
}

function prepare(db: Db): Statements {
  const upsert = db.prepare(`INSERT OR REPLACE INTO cache_entries (${INDEX_COLUMNS}, response_json) VALUES (
    @key, @namespace, @model, @provider, @created_at, @expires_at, @last_hit_at, @hits, @bytes, @cost_usd,
    @embedding_model, @embedding, @response_json)`)
  const touch = db.prepare('UPDATE cache_entries SET hits = ?, last_hit_at = ? WHERE key = ?')
  const remove = db.prepare('DELETE FROM cache_entries WHERE key = ?')
  return {
    upsert,
    touch,
    remove,
    read: db.prepare('SELECT response_json FROM cache_entries WHERE key = ?').pluck(),
    clearAll: db.prepare('DELETE FROM cache_entries'),
    clearNamespace: db.prepare('DELETE FROM cache_entries WHERE namespace = ?'),
    writeBatch: db.transaction((deletes: string[], writes: Entry[], touched: Entry[], model: string | undefined) => {
      for (const k of deletes) remove.run(k)
      for (const e of writes) {
        upsert.run({
          key: e.key,
          namespace: e.namespace,
          model: e.model,
          provider: e.provider,
          created_at: iso(e.createdAt),
          expires_at: iso(e.expiresAt),
          last_hit_at: iso(e.lastHitAt),
          hits: e.hits,
          bytes: e.bytes,
          cost_usd: e.costUsd ?? null,
          // Entries only hold vectors of the configured model (dropVectors sees to it).
          embedding_model: e.vector ? model : null,
          embedding: e.vector ? Buffer.from(e.vector.buffer, e.vector.byteOffset, e.vector.byteLength) : null,
          response_json: e.payload,
        })
      }
      const written = new Set(writes)
      for (const e of touched) if (!written.has(e)) touch.run(e.hits, iso(e.lastHitAt), e.key)
    }),
  }
}
