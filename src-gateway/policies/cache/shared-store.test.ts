import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type RedisServer, startRedis } from '../../../test/helpers/redis-server.js'
import type { CacheConfig } from '../../config/policies/cache.js'
import type { ChatResponse } from '../../core/chat-types.js'
import { openSharedState, type SharedState } from '../../shared-state/redis.js'
import { redisSettings } from '../../shared-state/settings.js'
import { MAX_VECTOR_DIMENSIONS, SharedCacheStore } from './shared-store.js'
import { ResponseCache } from './store.js'

const CAPS = { maxEntries: 100, maxBytes: 1_000_000 }
const entry = (payload: string, costUsd?: number) => ({ payload, provider: 'p', model: 'm', costUsd })

describe('shared cache entries in Redis', () => {
  let server: RedisServer
  let shared: SharedState
  let store: SharedCacheStore

  beforeAll(async () => {
    server = await startRedis()
    shared = await openSharedState(redisSettings({ redis: { url: server.url, keyPrefix: 'sc:' } })!)
    store = new SharedCacheStore(shared, Buffer.alloc(32, 1))
  })
  afterEach(async () => {
    await shared.redis.flushdb()
  })
  afterAll(async () => {
    await shared?.close()
    await server?.stop()
  })

  it('stores an entry with its TTL, reads it back and counts hits, misses and the cost saved', async () => {
    await store.put('k1', 'ns', entry('{"a":1}', 0.25), 60_000, 300, CAPS)
    expect(await shared.redis.pttl('sc:cache:e:k1')).toBeGreaterThan(59_000)
    expect(await store.get('k1', true)).toMatchObject({ payload: '{"a":1}', provider: 'p', model: 'm', costUsd: 0.25 })
    expect(await store.get('nope', true)).toBeUndefined()
    // A miss that a semantic lookup may still turn into a hit is not counted yet.
    expect(await store.get('nope', false)).toBeUndefined()
    expect(await store.stats()).toEqual({ entries: 1, bytes: 300, hits: 1, misses: 1, savedUsd: 0.25 })
  })

  it('holds maxEntries and maxBytes for all instances together, dropping the entries closest to expiry first', async () => {
    const caps = { maxEntries: 3, maxBytes: 1000 }
    await store.put('soon', 'ns', entry('x'), 10_000, 100, caps)
    await store.put('later', 'ns', entry('x'), 60_000, 100, caps)
    await store.put('latest', 'ns', entry('x'), 90_000, 100, caps)
    await store.put('fourth', 'ns', entry('x'), 80_000, 100, caps)
    expect(await store.get('soon', false)).toBeUndefined()
    expect((await store.stats()).entries).toBe(3)
    await store.put('big', 'ns', entry('x'), 120_000, 800, caps)
    const left = await shared.redis.zrange('sc:cache:idx', 0, -1)
    // 1,100 bytes: the entry closest to expiry ('later') goes, and 1,000 fit.
    expect(left).toEqual(['fourth', 'latest', 'big'])
    expect((await store.stats()).bytes).toBe(1000)
  })

  it('replacing an entry does not count its size twice', async () => {
    await store.put('k', 'ns', entry('a'), 60_000, 100, CAPS)
    await store.put('k', 'ns', entry('b'), 60_000, 150, CAPS)
    expect(await store.stats()).toMatchObject({ entries: 1, bytes: 150 })
  })

  it('expired entries leave the index and the byte count', async () => {
    await store.put('short', 'ns', entry('x'), 100, 100, CAPS)
    await new Promise((r) => setTimeout(r, 150))
    expect(await store.get('short', false)).toBeUndefined()
    expect(await store.stats()).toMatchObject({ entries: 0, bytes: 0 })
  })

  it('clears one namespace or everything', async () => {
    await store.put('a1', 'A', entry('x'), 60_000, 10, CAPS)
    await store.put('a2', 'A', entry('x'), 60_000, 10, CAPS)
    await store.put('b1', 'B', entry('x'), 60_000, 10, CAPS)
    expect(await store.clear('A')).toBe(2)
    expect(await store.get('b1', false)).toBeDefined()
    expect(await store.clear(undefined)).toBe(1)
    expect(await store.stats()).toMatchObject({ entries: 0, bytes: 0 })
  })

  it('an answer planted, altered or moved by a writer to Redis without the key is a miss, never served', async () => {
    const signed = new SharedCacheStore(shared, Buffer.alloc(32, 7))
    await signed.put('real', 'ns', entry('{"answer":"true"}', 0.1), 60_000, 100, CAPS)
    expect(await signed.get('real', false)).toMatchObject({ payload: '{"answer":"true"}' })
    // Planted without the key: no MAC, or the MAC of another entry.
    await shared.redis.hset('sc:cache:e:planted', { p: '{"answer":"forged"}', pr: 'p', m: 'm', t: '1' })
    expect(await signed.get('planted', false)).toBeUndefined()
    const real = await shared.redis.hgetall('sc:cache:e:real')
    await shared.redis.hset('sc:cache:e:moved', real)
    expect(await signed.get('moved', false)).toBeUndefined()
    await shared.redis.hset('sc:cache:e:real', 'p', '{"answer":"forged"}')
    expect(await signed.get('real', false)).toBeUndefined()
    // Nor can one with another key.
    await store.put('other-key', 'ns', entry('x'), 60_000, 100, CAPS)
    expect(await signed.get('other-key', false)).toBeUndefined()
  })

  it('a semantic entry carries its vector and model; only authentic vectors of this model, of bounded length, are read', async () => {
    const unit = Float32Array.from([0.6, 0.8])
    await store.put('sem', 'ns', entry('x'), 60_000, 100, CAPS, { vector: unit, embeddingModel: 'emb' })
    await store.put('exact-only', 'ns', entry('x'), 60_000, 100, CAPS)
    const [found] = await store.vectors(['sem', 'exact-only', 'gone'], 'emb')
    expect(found).toMatchObject({ key: 'sem', namespace: 'ns', embeddingModel: 'emb' })
    expect([...found.vector]).toEqual([...unit])
    expect(found.expiresAt).toBeGreaterThan(Date.now() + 59_000)
    expect(await store.vectors(['sem', 'exact-only', 'gone'], 'emb')).toHaveLength(1)
    expect(await store.recentKeys(10)).toEqual(expect.arrayContaining(['sem', 'exact-only']))
    // Another embedding model's vectors mean nothing here.
    expect(await store.vectors(['sem'], 'other')).toEqual([])
    // Moved to another key, to another namespace, or signed with another key: not read.
    await shared.redis.hset('sc:cache:e:moved', await shared.redis.hgetall('sc:cache:e:sem'))
    expect(await store.vectors(['moved'], 'emb')).toEqual([])
    const other = new SharedCacheStore(shared, Buffer.alloc(32, 9))
    expect(await other.vectors(['sem'], 'emb')).toEqual([])
    await shared.redis.hset('sc:cache:e:sem', 'ns', 'other-ns')
    expect(await store.vectors(['sem'], 'emb')).toEqual([])
    // Past MAX_VECTOR_DIMENSIONS: not even checked, so never held in memory as a vector.
    const huge = new Float32Array(MAX_VECTOR_DIMENSIONS + 1).fill(0.01)
    await store.put('huge', 'ns', entry('x'), 60_000, 100, CAPS, { vector: huge, embeddingModel: 'emb' })
    expect(await store.vectors(['huge'], 'emb')).toEqual([])
  })

  it('rejects at once while Redis is down (the caller treats it as a miss)', async () => {
    await server.pause()
    try {
      const deadline = Date.now() + 5000
      while (shared.available() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25))
      const started = Date.now()
      await expect(store.get('k', true)).rejects.toThrow()
      expect(Date.now() - started).toBeLessThan(100)
    } finally {
      await server.resume()
      const deadline = Date.now() + 5000
      while (!shared.available() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25))
    }
  })
})

describe('two ResponseCaches sharing semantic entries through Redis', () => {
  const SEMANTIC = { mode: 'semantic', semantic: { embeddingModel: 'emb' } } as CacheConfig
  const SECRET = 'one secret for every instance'
  const key = (c: string) => c.repeat(43)
  const answer = (text: string): ChatResponse => ({
    id: 'c',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
  })
  let server: RedisServer
  const states: SharedState[] = []

  async function instance(): Promise<ResponseCache> {
    const state = await openSharedState(redisSettings({ redis: { url: server.url, keyPrefix: 'sem:' } })!)
    states.push(state)
    return new ResponseCache(undefined, SEMANTIC, { clock: Date.now, shared: () => state, sharedSecret: SECRET })
  }
  const put = (cache: ResponseCache, k: string, vector: number[]) =>
    cache.put({
      key: k,
      namespace: 'ns',
      vector: Float32Array.from(vector),
      response: answer(k[0]),
      provider: 'p',
      model: 'm',
    })
  async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
    const deadline = Date.now() + 2000
    for (;;) {
      const v = await read()
      if (ok(v) || Date.now() > deadline) return v
      await new Promise((r) => setTimeout(r, 25))
    }
  }

  beforeAll(async () => {
    server = await startRedis()
  })
  afterAll(async () => {
    for (const s of states) await s.close()
    await server?.stop()
  })

  it('B finds what A stored before B started and after; an entry gone from Redis leaves the index for the next nearest', async () => {
    const a = await instance()
    put(a, key('a'), [1, 0])
    const redis = states[0].redis
    await eventually(
      () => redis.exists(`sem:cache:e:${key('a')}`),
      (n) => n === 1,
    )
    const b = await instance()
    // Read at B's first use, from Redis.
    expect(await b.getSemantic('ns', Float32Array.from([2, 0]), 0.9)).toMatchObject({ key: key('a'), similarity: 1 })
    // Announced on the channel B listens to by then.
    put(a, key('b'), [0.9, 0.1])
    const later = await eventually(
      async () => await b.getSemantic('ns', Float32Array.from([0.9, 0.1]), 0.999),
      (hit) => hit !== undefined,
    )
    expect(later?.key).toBe(key('b'))
    // Evicted or expired in Redis: B's lookup drops it and answers with the next nearest above the threshold.
    await redis.del(`sem:cache:e:${key('a')}`)
    expect(await b.getSemantic('ns', Float32Array.from([1, 0]), 0.9)).toMatchObject({ key: key('b') })
    // A message that is not an entry key, or names an entry without a valid vector, changes nothing.
    await redis.publish('sem:cache:added', 'x'.repeat(10_000))
    await redis.hset(`sem:cache:e:${key('c')}`, {
      p: JSON.stringify(answer('forged')),
      ns: 'ns',
      em: 'emb',
      v: 'AACAPwAAAAA=',
      vh: 'x',
    })
    await redis.zadd('sem:cache:idx', Date.now() + 60_000, key('c'))
    await redis.publish('sem:cache:added', key('c'))
    await new Promise((r) => setTimeout(r, 100))
    expect(await b.getSemantic('ns', Float32Array.from([1, 0]), 0.9)).toMatchObject({ key: key('b') })
    // A clear through A reaches B's index.
    await a.clearEverywhere()
    expect(
      await eventually(
        async () => await b.getSemantic('ns', Float32Array.from([0.9, 0.1]), 0.9),
        (h) => !h,
      ),
    ).toBeUndefined()
  })
})
