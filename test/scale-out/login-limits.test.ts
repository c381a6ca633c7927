import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisServer, startRedis } from '../helpers/redis-server.js'
import { login, OWNER, setUpOwner, startTeamGateway, TEAM_YAML, type TeamGateway } from '../team/team-helpers.js'

// Team mode's sign-in limits with `redis`: failures spread over instances count as on one, and a Redis outage
// leaves each instance's own limits, never none.

const ENV = { SWITCHYARD_SECRET_KEY: randomBytes(32).toString('base64url') }

describe('sign-in limits across instances', () => {
  let redisServer: RedisServer
  let redis: Redis
  const started: TeamGateway[] = []
  let a: TeamGateway
  let b: TeamGateway

  beforeAll(async () => {
    redisServer = await startRedis()
    redis = new Redis(redisServer.url)
    redis.on('error', () => undefined)
    const yaml = `${TEAM_YAML}redis: ${redisServer.url}\n`
    for (let i = 0; i < 2; i++) {
      const gw = await startTeamGateway({ yaml, env: ENV })
      started.push(gw)
      await setUpOwner(gw)
    }
    ;[a, b] = started as [TeamGateway, TeamGateway]
  }, 60_000)

  afterAll(async () => {
    for (const gw of started) await gw.close()
    redis?.disconnect()
    await redisServer?.stop()
  })

  it('refuses an email after five failures spread over two instances, as one instance does', async () => {
    const email = 'target@example.com'
    for (let i = 0; i < 5; i++) {
      expect((await login(i % 2 === 0 ? a : b, email, `wrong ${i}`)).status).toBe(401)
    }
    // B saw two of the five: alone it would answer 401 three more times.
    const refused = await login(b, email, 'wrong 5')
    expect(refused.status).toBe(429)
    expect((await refused.json()).error.code).toBe('too_many_attempts')
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(800)
    expect((await login(a, email, 'wrong 6')).status).toBe(429)
    // Counted under digests: the email people sign in with is not in Redis.
    const keys = await redis.keys('*login*')
    expect(keys.length).toBeGreaterThan(0)
    expect(keys.join('\n')).not.toContain(email)
    for (const key of keys) expect(await redis.get(key)).not.toContain(email)
  })

  it('refuses an address after twenty failures spread over two instances, for every email', async () => {
    // The five failures above came from this address too: fifteen more reach its twenty.
    for (let i = 0; i < 15; i++) {
      expect((await login(i % 2 === 0 ? a : b, `spray${i}@example.com`, 'some password')).status).toBe(401)
    }
    expect((await login(a, OWNER.email, OWNER.password)).status).toBe(429)
    expect((await login(b, OWNER.email, OWNER.password)).status).toBe(429)
  })

  it("falls back to each instance's own limits while Redis is down, never to none", async () => {
    await redisServer.pause()
    try {
      // A's own limiter counted its share of the failures above (11 for this address: under twenty), so the
      // new email's five failures here are refused at the sixth by A alone.
      const email = 'outage@example.com'
      const statuses: number[] = []
      for (let i = 0; i < 6; i++) statuses.push((await login(a, email, `wrong ${i}`)).status)
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429])
    } finally {
      await redisServer.resume()
    }
  })
})
