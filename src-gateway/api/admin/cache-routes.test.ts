import Fastify from 'fastify'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { ResponseCache } from '../../policies/cache/index.js'
import { cacheRoutes } from './cache-routes.js'

const answer = {
  id: 'chatcmpl-1',
  object: 'chat.completion' as const,
  created: 0,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant' as const, content: 'hi' }, finish_reason: 'stop' as const }],
}

describe('cacheRoutes', () => {
  const app = Fastify()
  let cache: ResponseCache | undefined
  cacheRoutes(app, { cache: () => cache })
  afterEach(() => {
    cache = undefined
  })
  afterAll(() => app.close())

  it('reports an absent cache as off, with zero counters', async () => {
    const res = await app.inject({ method: 'GET', url: '/admin/v1/cache' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ mode: 'off', entries: 0, hits: 0 })
    expect((await app.inject({ method: 'DELETE', url: '/admin/v1/cache' })).json()).toEqual({ cleared: 0 })
  })

  it('shows the mode, limits and counters, and clears one namespace or all', async () => {
    cache = new ResponseCache(undefined, { mode: 'exact', ttlSeconds: 60, maxEntries: 5 }, { clock: Date.now })
    for (const [key, namespace] of [
      ['a', 'n1'],
      ['b', 'n1'],
      ['c', 'n2'],
    ]) {
      cache.put({ key, namespace, response: answer, provider: 'p', model: 'm', costUsd: 0.5 })
    }
    cache.getExact('a')
    cache.recordMiss()
    const status = (await app.inject({ method: 'GET', url: '/admin/v1/cache' })).json()
    expect(status).toMatchObject({
      mode: 'exact',
      ttlSeconds: 60,
      maxEntries: 5,
      maxMb: 256,
      entries: 3,
      hits: 1,
      misses: 1,
      savedUsd: 0.5,
    })
    expect(status.bytes).toBeGreaterThan(0)

    const one = await app.inject({ method: 'DELETE', url: '/admin/v1/cache?namespace=n1' })
    expect(one.json()).toEqual({ cleared: 2 })
    expect(cache.stats().entries).toBe(1)
    expect((await app.inject({ method: 'DELETE', url: '/admin/v1/cache' })).json()).toEqual({ cleared: 1 })
    expect(cache.stats().entries).toBe(0)
  })
})
