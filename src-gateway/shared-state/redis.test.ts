import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisServer, startRedis } from '../../test/helpers/redis-server.js'
import { openSharedState, type SharedState } from './redis.js'
import { redisSettings } from './settings.js'

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe('shared state: one Redis connection', () => {
  let server: RedisServer
  let shared: SharedState
  beforeAll(async () => {
    server = await startRedis()
    shared = await openSharedState(redisSettings({ redis: { url: server.url, keyPrefix: 'sy-test:' } })!)
  })
  afterAll(async () => {
    await shared?.close()
    await server?.stop()
  })

  it('is available once connected, prefixes keys and runs commands', async () => {
    expect(shared.available()).toBe(true)
    expect(shared.key('limits', 'k1')).toBe('sy-test:limits:k1')
    await shared.redis.set(shared.key('x'), '1')
    expect(await shared.redis.get('sy-test:x')).toBe('1')
  })

  it('fails commands fast while Redis is down, reports the outage and the return', async () => {
    const changes: boolean[] = []
    shared.onChange((up) => changes.push(up))
    await server.pause()
    await until(() => !shared.available())
    const started = Date.now()
    await expect(shared.redis.get(shared.key('x'))).rejects.toThrow()
    expect(Date.now() - started).toBeLessThan(600)
    await server.resume()
    await until(() => shared.available())
    expect(changes).toEqual([false, true])
    expect(await shared.redis.ping()).toBe('PONG')
  })

  it('starts without a Redis that is not there, and connects once it answers', async () => {
    const later = await startRedis()
    await later.pause()
    const s = await openSharedState(redisSettings({ redis: later.url })!)
    try {
      expect(s.available()).toBe(false)
      await later.resume()
      await until(() => s.available())
    } finally {
      await s.close()
      await later.stop()
    }
  })
})
