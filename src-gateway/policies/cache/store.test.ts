import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CacheConfig } from '../../config/policies/cache.js'
import type { ChatResponse } from '../../core/chat-types.js'
import { closeDatabase, type Db, openDatabase } from '../../store/db.js'
import { type CachePut, ResponseCache } from './store.js'

const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }

const response = (text: string): ChatResponse => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1700000000,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
  usage,
})

const entry = (key: string, extra: Partial<CachePut> = {}): CachePut => ({
  key,
  namespace: 'ns',
  response: response(`answer ${key}`),
  provider: 'openai',
  model: 'gpt-4o-mini',
  ...extra,
})

const textOf = (hit: { response: ChatResponse } | undefined) => hit?.response.choices[0].message.content

/** A manual clock: tests move time, nothing sleeps. */
function manualClock(start = Date.parse('2025-01-01T00:00:00Z')) {
  let now = start
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms
    },
  }
}

const SEMANTIC: CacheConfig = { mode: 'semantic', semantic: { embeddingModel: 'ollama/nomic-embed-text' } }

describe('ResponseCache in memory', () => {
  it('answers an exact key with the stored response, provider, model, usage and cost', () => {
    const clock = manualClock()
    const cache = new ResponseCache(undefined, { mode: 'exact' }, { clock: clock.now })
    expect(cache.getExact('a')).toBeUndefined()
    cache.put(entry('a', { costUsd: 0.25 }))
    const hit = cache.getExact('a')
    expect(hit).toEqual({
      key: 'a',
      response: response('answer a'),
      provider: 'openai',
      model: 'gpt-4o-mini',
      createdAt: clock.now(),
      usage,
      costUsd: 0.25,
    })
    cache.getExact('a')
    cache.recordMiss()
    expect(cache.stats()).toMatchObject({ entries: 1, hits: 2, misses: 1, savedUsd: 0.5 })
  })

  it('expires entries after their TTL, the config default or their own', () => {
    const clock = manualClock()
    const cache = new ResponseCache(undefined, { mode: 'exact', ttlSeconds: 60 }, { clock: clock.now })
    cache.put(entry('a'))
    cache.put(entry('b', { ttlSeconds: 300 }))
    clock.advance(59_999)
    expect(textOf(cache.getExact('a'))).toBe('answer a')
    clock.advance(1)
    expect(cache.getExact('a')).toBeUndefined()
    expect(textOf(cache.getExact('b'))).toBe('answer b')
    clock.advance(240_000)
    expect(cache.stats().entries).toBe(0)
  })

  it('evicts the least recently used entry beyond maxEntries', () => {
    const cache = new ResponseCache(undefined, { mode: 'exact', maxEntries: 2 }, { clock: manualClock().now })
    cache.put(entry('a'))
    cache.put(entry('b'))
    cache.getExact('a')
    cache.put(entry('c'))
    expect(cache.getExact('b')).toBeUndefined()
    expect(textOf(cache.getExact('a'))).toBe('answer a')
    expect(textOf(cache.getExact('c'))).toBe('answer c')
  })

  it('evicts the least recently used entries beyond maxMb, and never stores one bigger than the cap', () => {
    const big = (key: string) => entry(key, { response: response(key.repeat(3000)) })
    // About 3.3 KB each: two fit in 8 KB, three do not.
    const cache = new ResponseCache(undefined, { mode: 'exact', maxMb: 8 / 1024 }, { clock: manualClock().now })
    cache.put(big('a'))
    cache.put(big('b'))
    expect(cache.stats().entries).toBe(2)
    cache.put(big('c'))
    expect(cache.getExact('a')).toBeUndefined()
    expect(cache.stats().entries).toBe(2)
    expect(cache.stats().bytes).toBeLessThanOrEqual(8 * 1024)
    cache.put(entry('huge', { response: response('x'.repeat(9000)) }))
    expect(cache.getExact('huge')).toBeUndefined()
    expect(cache.stats().entries).toBe(2)
  })

  it('shrinks to a smaller cap at once when the config changes', () => {
    const cache = new ResponseCache(undefined, { mode: 'exact' }, { clock: manualClock().now })
    for (const k of ['a', 'b', 'c', 'd']) cache.put(entry(k))
    cache.apply({ mode: 'exact', maxEntries: 1 })
    expect(cache.stats().entries).toBe(1)
    expect(textOf(cache.getExact('d'))).toBe('answer d')
  })

  it('finds the most similar answer above the threshold, within the namespace only', async () => {
    const cache = new ResponseCache(undefined, SEMANTIC, { clock: manualClock().now })
    cache.put(entry('capital', { vector: new Float32Array([1, 0, 0]) }))
    cache.put(entry('weather', { vector: new Float32Array([0, 1, 0]) }))
    cache.put(entry('other-ns', { namespace: 'ns2', vector: new Float32Array([0, 0, 1]) }))
    // cos = 0.98 with "capital"; vectors are compared by direction, not length.
    const near = await cache.getSemantic('ns', new Float32Array([4.9, 1, 0]), 0.95)
    expect(near?.key).toBe('capital')
    expect(near?.similarity).toBeCloseTo(0.98, 2)
    // cos = 0.71 with either: below the threshold.
    expect(await cache.getSemantic('ns', new Float32Array([1, 1, 0]), 0.95)).toBeUndefined()
    expect(await cache.getSemantic('ns', new Float32Array([0, 0, 1]), 0.5)).toBeUndefined()
    expect((await cache.getSemantic('ns2', new Float32Array([0, 0, 1]), 0.95))?.key).toBe('other-ns')
    expect(await cache.getSemantic('ns', new Float32Array([0, 0, 0]), 0.5)).toBeUndefined()
  })

  it('skips expired entries in a semantic lookup', async () => {
    const clock = manualClock()
    const cache = new ResponseCache(undefined, SEMANTIC, { clock: clock.now })
    cache.put(entry('old', { vector: new Float32Array([1, 0]), ttlSeconds: 10 }))
    cache.put(entry('new', { vector: new Float32Array([0.9, 0.1]), ttlSeconds: 100 }))
    expect((await cache.getSemantic('ns', new Float32Array([1, 0]), 0.9))?.key).toBe('old')
    clock.advance(10_000)
    expect((await cache.getSemantic('ns', new Float32Array([1, 0]), 0.9))?.key).toBe('new')
    expect(cache.stats().entries).toBe(1)
  })

  it('keeps no vectors without an embedding model, and drops them when the model changes', () => {
    const exact = new ResponseCache(undefined, { mode: 'exact' }, { clock: manualClock().now })
    exact.put(entry('a', { vector: new Float32Array([1, 0]) }))
    expect(exact.getSemantic('ns', new Float32Array([1, 0]), 0.5)).toBeUndefined()

    const cache = new ResponseCache(undefined, SEMANTIC, { clock: manualClock().now })
    cache.put(entry('a', { vector: new Float32Array([1, 0]) }))
    cache.apply({ mode: 'semantic', semantic: { embeddingModel: 'openai/text-embedding-3-small' } })
    expect(cache.getSemantic('ns', new Float32Array([1, 0]), 0.5)).toBeUndefined()
    expect(textOf(cache.getExact('a'))).toBe('answer a')
  })

  it('clears one namespace or everything', () => {
    const cache = new ResponseCache(undefined, { mode: 'exact' }, { clock: manualClock().now })
    cache.put(entry('a'))
    cache.put(entry('b', { namespace: 'ns2' }))
    cache.put(entry('c', { namespace: 'ns2' }))
    expect(cache.clear('ns2')).toBe(2)
    expect(textOf(cache.getExact('a'))).toBe('answer a')
    expect(cache.getExact('b')).toBeUndefined()
    expect(cache.clear()).toBe(1)
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 })
  })
})

describe('ResponseCache on SQLite', () => {
  let dir: string
  let db: Db
  const count = () => db.prepare('SELECT count(*) FROM cache_entries').pluck().get() as number

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-cache-'))
    db = openDatabase(dir)
  })
  afterEach(() => {
    closeDatabase(db)
    rmSync(dir, { recursive: true, force: true })
  })

  it('writes new entries in a later batch, not inside put()', async () => {
    const cache = new ResponseCache(db, { mode: 'exact' }, { clock: manualClock().now, flushMs: 10 })
    cache.put(entry('a'))
    cache.put(entry('b'))
    expect(count()).toBe(0)
    // Served from memory until written.
    expect(textOf(cache.getExact('a'))).toBe('answer a')
    await new Promise((r) => setTimeout(r, 50))
    expect(count()).toBe(2)
    cache.close()
  })

  it('writes a full batch on the next turn without waiting for the timer', async () => {
    const cache = new ResponseCache(db, { mode: 'exact' }, { clock: manualClock().now, flushMs: 60_000, maxBatch: 3 })
    for (const k of ['a', 'b', 'c']) cache.put(entry(k))
    expect(count()).toBe(0)
    await new Promise((r) => setImmediate(r))
    expect(count()).toBe(3)
    cache.close()
  })

  it('keeps entries, hit counts, recency and vectors across a reopen of the same file', () => {
    const clock = manualClock()
    const first = new ResponseCache(db, SEMANTIC, { clock: clock.now })
    first.put(entry('a', { vector: new Float32Array([1, 0, 0]), costUsd: 0.1 }))
    clock.advance(1000)
    first.put(entry('b'))
    // Written before the hits, so the hit counts and recency reach SQLite as updates of their own.
    first.flush()
    clock.advance(1000)
    first.getExact('a')
    first.getExact('a')
    first.close()
    closeDatabase(db)

    db = openDatabase(dir)
    expect(db.prepare("SELECT hits FROM cache_entries WHERE key = 'a'").pluck().get()).toBe(2)
    const second = new ResponseCache(db, { ...SEMANTIC, maxEntries: 2 }, { clock: clock.now })
    expect(second.stats().entries).toBe(2)
    expect(second.getSemantic('ns', new Float32Array([1, 0, 0]), 0.99)).toMatchObject({
      key: 'a',
      costUsd: 0.1,
      response: response('answer a'),
    })
    // "a" was used last before the reopen, so "b" is the one a new entry pushes out.
    second.put(entry('c'))
    expect(second.getExact('b')).toBeUndefined()
    expect(textOf(second.getExact('a'))).toBe('answer a')
    second.close()
    expect(db.prepare('SELECT key FROM cache_entries ORDER BY key').pluck().all()).toEqual(['a', 'c'])
  })

  it('drops expired rows when it opens, and evicted ones with the next batch', () => {
    const clock = manualClock()
    const first = new ResponseCache(db, { mode: 'exact', ttlSeconds: 10 }, { clock: clock.now })
    first.put(entry('a'))
    first.put(entry('b', { ttlSeconds: 100 }))
    first.close()
    clock.advance(10_000)
    const second = new ResponseCache(db, { mode: 'exact', ttlSeconds: 10 }, { clock: clock.now })
    expect(count()).toBe(1)
    expect(second.getExact('a')).toBeUndefined()
    second.clear('ns')
    expect(count()).toBe(0)
  })

  it('seals stored answers with the cipher and opens them on a hit', () => {
    const cipher = {
      seal: (t: string) => Buffer.from(t).toString('base64'),
      open: (t: string) => Buffer.from(t, 'base64').toString(),
    }
    const cache = new ResponseCache(db, { mode: 'exact' }, { clock: manualClock().now, cipher })
    cache.put(entry('a', { response: response('a secret answer') }))
    cache.flush()
    const stored = db.prepare("SELECT response_json FROM cache_entries WHERE key = 'a'").pluck().get() as string
    expect(stored).not.toContain('secret')
    expect(textOf(cache.getExact('a'))).toBe('a secret answer')
    // An answer that no longer opens (the key changed) is a miss, and goes.
    const other = new ResponseCache(
      db,
      { mode: 'exact' },
      { clock: manualClock().now, cipher: { ...cipher, open: () => 'x' } },
    )
    expect(other.getExact('a')).toBeUndefined()
    other.close()
    expect(count()).toBe(0)
    cache.close()
  })
})
