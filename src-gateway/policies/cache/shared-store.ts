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
// mac, then for a semantic entry: its vector, embedding model and the vector's mac ('' for none).
const PUT = `${COMMON}
sweep(100)
local key, ttl, bytes = ARGV[2], tonumber(ARGV[8]), tonumber(ARGV[9])
drop(key)
local entry = prefix .. key
redis.call('HSET', entry, 'p', ARGV[3], 'pr', ARGV[4], 'm', ARGV[5], 't', now, 'ns', ARGV[7], 'h', ARGV[12])
if ARGV[6] ~= '' then redis.call('HSET', entry, 'c', ARGV[6]) end
if ARGV[13] ~= '' then redis.call('HSET', entry, 'v', ARGV[13], 'em', ARGV[14], 'vh', ARGV[15]) end
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

/** A semantic entry's vector, as an instance indexes it; read only once its MAC is verified. */
export interface SharedVector {
  key: string
  namespace: string
  embeddingModel: string
  /** Unit length, as stored. */
  vector: Float32Array
  expiresAt: number
}

/** A semantic entry's vector and what it was made by, stored with the answer. */
export interface VectorFields {
  vector: Float32Array
  embeddingModel: string
}

/**
 * Past any embedding model in use (3,072 for OpenAI's largest, 4,096 for the largest open ones): a vector
 * longer than this in Redis is not indexed, so a writer to Redis cannot make an instance hold huge arrays.
 */
export const MAX_VECTOR_DIMENSIONS = 8192

/** The exact keys are base64url SHA-256 digests (keys.ts): anything else on the channel is not ours. */
const KEY_SHAPE = /^[A-Za-z0-9_-]{43}$/

export function isEntryKey(key: string): boolean {
  return KEY_SHAPE.test(key)
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

  /** The semantic fields' HMAC: binds the vector and its namespace to the entry's key. */
  private vectorMac(key: string, namespace: string, embeddingModel: string, vector: string): string {
    return createHmac('sha256', this.macKey)
      .update(JSON.stringify(['vector', key, namespace, embeddingModel, vector]))
      .digest('base64url')
  }

  private static same(a: string, b: string): boolean {
    const x = Buffer.from(a)
    const y = Buffer.from(b)
    return x.length === y.length && timingSafeEqual(x, y)
  }

  private verified(key: string, v: (string | null)[]): boolean {
    const [payload, provider, model, , cost, mac] = v
    if (!mac) return false
    return SharedCacheStore.same(mac, this.mac(key, payload ?? '', provider ?? '', model ?? '', cost ?? ''))
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
    semantic?: VectorFields,
  ): Promise<void> {
    const cost = entry.costUsd === undefined ? '' : String(entry.costUsd)
    const vector = semantic
      ? Buffer.from(semantic.vector.buffer, semantic.vector.byteOffset, semantic.vector.byteLength).toString('base64')
      : ''
    const em = semantic?.embeddingModel ?? ''
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
      vector,
      em,
      semantic ? this.vectorMac(key, namespace, em, vector) : '',
    )
  }

  /**
   * The vectors of these entries whose MAC holds, that `embeddingModel` made and that are not longer than
   * MAX_VECTOR_DIMENSIONS; gone, exact-only, forged and foreign ones are left out. No hit is counted.
   */
  async vectors(keys: string[], embeddingModel: string): Promise<SharedVector[]> {
    if (keys.length === 0) return []
    if (!this.shared.available()) throw new Error('Redis is unavailable')
    const batch = this.shared.redis.pipeline()
    for (const key of keys) {
      batch.hmget(this.prefix + key, 'ns', 'em', 'v', 'vh')
      batch.zscore(this.meta[0], key)
    }
    const replies = (await batch.exec()) ?? []
    const out: SharedVector[] = []
    const maxChars = Math.ceil((MAX_VECTOR_DIMENSIONS * 4) / 3) * 4
    keys.forEach((key, i) => {
      const [err, fields] = replies[2 * i] ?? []
      const [, score] = replies[2 * i + 1] ?? []
      if (err || !Array.isArray(fields) || score == null) return
      const [ns, em, v, vh] = fields as (string | null)[]
      if (ns == null || em !== embeddingModel || !v || !vh || v.length > maxChars) return
      if (!SharedCacheStore.same(vh, this.vectorMac(key, ns, em, v))) return
      const bytes = Buffer.from(v, 'base64')
      if (bytes.length === 0 || bytes.length % 4 !== 0) return
      const vector = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length))
      out.push({ key, namespace: ns, embeddingModel: em, vector, expiresAt: Number(score) })
    })
    return out
  }

  /** The keys of up to `limit` entries, the latest to expire first: what an instance indexes at start. */
  async recentKeys(limit: number): Promise<string[]> {
    if (!this.shared.available()) throw new Error('Redis is unavailable')
    return await this.shared.redis.zrevrange(this.meta[0], 0, limit - 1)
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
