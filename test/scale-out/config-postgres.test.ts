import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openPgPool, type PgPool } from '../../src-gateway/store/pg/pool.js'
import { chatAt, clusterAdmin, type GatewayCluster, startCluster } from '../helpers/gateway-cluster.js'
import { everyRow, type PostgresServer, startPostgres } from '../helpers/postgres-server.js'
import { type RedisServer, startRedis } from '../helpers/redis-server.js'
import { startServe } from '../helpers/serve-process.js'
import { type RecordedRequest, type RunningMock, startChatUpstream, within } from '../helpers/upstreams.js'

// With `database` (and `redis` too, as compose.yaml runs them), the config lives in Postgres: a change through A is
// used by C within a second (NOTIFY), a typed key reaches C but never Postgres or Redis in plain text, Redis holds
// no config, a document altered in the database is refused, and an instance restarted meanwhile or a Postgres
// outage lose no change.

const SECRET_KEY = randomBytes(32).toString('base64url')
const PLAIN_KEY = `sk-plain-${randomBytes(12).toString('hex')}`

describe('config shared through Postgres', () => {
  let pg: PostgresServer
  let db: PgPool
  let redisServer: RedisServer
  let redis: Redis
  let upstream: RunningMock & { requests: RecordedRequest[] }
  let cluster: GatewayCluster

  const admin = (i: number, method: string, path: string, body?: unknown) =>
    clusterAdmin(cluster, i, method, path, body)
  const chat = chatAt
  const alertsOn = async (i: number) =>
    ((await (await admin(i, 'GET', '/alerts?kind=config_sync')).json()) as { items: { message: string }[] }).items

  beforeAll(async () => {
    pg = await startPostgres()
    db = await openPgPool(pg.url)
    redisServer = await startRedis()
    redis = new Redis(redisServer.url)
    redis.on('error', () => undefined)
    upstream = await startChatUpstream()
    cluster = await startCluster({
      env: { SWITCHYARD_SECRET_KEY: SECRET_KEY },
      configYaml: `
database: ${pg.url}
redis: ${redisServer.url}
discovery: { enabled: false }
providers:
  mock: { type: openai-compatible, baseUrl: "${upstream.url}/v1" }
`,
    })
  }, 120_000)
  afterAll(async () => {
    await cluster?.stop()
    await upstream?.stop()
    redis?.disconnect()
    await redisServer?.stop()
    await db?.close()
    await pg?.stop()
  })

  it('uses on C, within a second, a route added through A; the document is in Postgres and Redis holds no config', async () => {
    expect((await chat(cluster.urls[2], 'fast')).status).toBe(404)
    expect((await admin(0, 'PUT', '/routes/fast', { targets: [{ model: 'mock/m' }] })).status).toBe(201)
    const ms = await within(1000, 'route on C', async () => (await chat(cluster.urls[2], 'fast')).status === 200)
    expect(ms).toBeLessThan(1000)
    await within(1000, 'route on B', async () => (await chat(cluster.urls[1], 'fast')).status === 200)
    expect(readFileSync(join(cluster.instances[2].dataDir, 'test-config.yaml'), 'utf8')).toContain('fast')

    const [row] = await db.query<{ version: number; seed: number; document: string }>(
      'SELECT version, seed, document FROM switchyard_config',
    )
    expect(row.seed).toBe(0)
    expect(JSON.parse(row.document).body).toContain('fast')
    expect(await redis.keys('*config*')).toEqual([])
  })

  it('sends a key typed into A from C, while Postgres and Redis never hold it in plain text', async () => {
    const post = await admin(0, 'POST', '/providers', {
      id: 'keyed',
      type: 'openai-compatible',
      baseUrl: `${upstream.url}/v1`,
      apiKey: PLAIN_KEY,
    })
    expect(post.status).toBe(201)
    upstream.requests.length = 0
    await within(1000, 'provider on C', async () => (await chat(cluster.urls[2], 'keyed/m')).status === 200)
    expect(upstream.requests.filter((r) => r.path === '/v1/chat/completions').at(-1)?.headers.authorization).toBe(
      `Bearer ${PLAIN_KEY}`,
    )
    const rows = await everyRow(db)
    expect(rows).toContain('keyed')
    expect(rows).not.toContain(PLAIN_KEY)
    // Nor the database's own URL: `database` is each instance's, never in the shared document.
    expect(rows).not.toContain(decodeURIComponent(new URL(pg.url).password))
    for (const key of await redis.keys('*')) {
      const type = await redis.type(key)
      if (type === 'string') expect(await redis.get(key)).not.toContain(PLAIN_KEY)
    }
  })

  it('refuses a document altered in the database (a provider pointed elsewhere keeping its key) and keeps serving', async () => {
    const [row] = await db.query<{ document: string }>('SELECT document FROM switchyard_config')
    const doc = JSON.parse(row.document)
    const body = JSON.parse(doc.body)
    body.config.providers.keyed.baseUrl = 'http://127.0.0.1:9/v1'
    const version = Number((await db.query<{ n: number }>("SELECT nextval('switchyard_config_version') AS n"))[0].n)
    const forged = { ...doc, version, body: JSON.stringify(body) }
    await db.query('UPDATE switchyard_config SET version = $1, document = $2', [version, JSON.stringify(forged)])
    await db.query("SELECT pg_notify('switchyard_config', $1)", [String(version)])
    await within(3000, 'config_sync alert on C', async () =>
      (await alertsOn(2)).some((a) => a.message.includes(`version ${version}`)),
    )
    upstream.requests.length = 0
    expect((await chat(cluster.urls[2], 'keyed/m')).status).toBe(200)
    expect(upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${PLAIN_KEY}`)
    const provider = (await (await admin(2, 'GET', '/providers/keyed')).json()) as { baseUrl: string }
    expect(provider.baseUrl).toBe(`${upstream.url}/v1`)
    // The next genuine change replaces the forged row and goes through.
    expect((await admin(1, 'PUT', '/routes/after-forgery', { targets: [{ model: 'mock/m' }] })).status).toBe(201)
    await within(3000, 'route after forgery', async () => (await chat(cluster.urls[2], 'after-forgery')).status === 200)
  })

  it('refuses an oversized document without loading it, and the next change still goes through', async () => {
    const version = Number((await db.query<{ n: number }>("SELECT nextval('switchyard_config_version') AS n"))[0].n)
    await db.query('UPDATE switchyard_config SET version = $1, document = $2', [version, 'x'.repeat(5 * 1024 * 1024)])
    await db.query("SELECT pg_notify('switchyard_config', $1)", [String(version)])
    await within(3000, 'oversized refused on B', async () =>
      (await alertsOn(1)).some((a) => a.message.includes('larger than')),
    )
    expect((await admin(0, 'PUT', '/routes/after-big', { targets: [{ model: 'mock/m' }] })).status).toBe(201)
    await within(3000, 'route after the big one', async () => (await chat(cluster.urls[1], 'after-big')).status === 200)
  })

  it('ends with one config on every instance when two change it at the same moment', async () => {
    const [a, b] = await Promise.all([
      admin(0, 'PUT', '/routes/at-once-a', { targets: [{ model: 'mock/m' }] }),
      admin(1, 'PUT', '/routes/at-once-b', { targets: [{ model: 'mock/m' }] }),
    ])
    expect([a.status, b.status]).toEqual([201, 201])
    const routesOf = async (i: number) =>
      ((await (await admin(i, 'GET', '/routes')).json()) as { items: { name: string }[] }).items
        .map((r) => r.name)
        .sort()
        .join(',')
    await within(5000, 'one config everywhere', async () => {
      const seen = await Promise.all([0, 1, 2].map(routesOf))
      return seen.every((r) => r === seen[0]) && /at-once-[ab]/.test(seen[0])
    })
  })

  it('keeps serving while Postgres is down, and shares a change made meanwhile once it is back', async () => {
    await pg.pause()
    try {
      expect((await admin(0, 'PUT', '/routes/offline', { targets: [{ model: 'mock/m' }] })).status).toBe(201)
      expect((await chat(cluster.urls[0], 'offline')).status).toBe(200)
      expect((await chat(cluster.urls[2], 'fast')).status).toBe(200)
    } finally {
      await pg.resume()
    }
    await within(10_000, 'offline change on C', async () => (await chat(cluster.urls[2], 'offline')).status === 200)
    expect((await admin(1, 'PUT', '/routes/after-outage', { targets: [{ model: 'mock/m' }] })).status).toBe(201)
    await within(1000, 'next change on C', async () => (await chat(cluster.urls[2], 'after-outage')).status === 200)
  }, 30_000)

  it('gives an instance restarted after a change the newer config before its first call', async () => {
    const c = cluster.instances[2]
    await cluster.kill(2, 'SIGTERM')
    expect((await admin(0, 'PUT', '/routes/while-down', { targets: [{ model: 'mock/m' }] })).status).toBe(201)
    await c.restart()
    expect((await chat(c.baseUrl, 'while-down')).status).toBe(200)
    expect(readFileSync(join(c.dataDir, 'test-config.yaml'), 'utf8')).toContain('while-down')
  }, 60_000)
})

describe('database without SWITCHYARD_SECRET_KEY', () => {
  it('does not start: the shared config could not be sealed', async () => {
    await expect(
      startServe('database: postgres://sy:pw@127.0.0.1:1/none\n', [], {
        env: { SWITCHYARD_SECRET_KEY: '' },
        fromSource: true,
      }),
    ).rejects.toThrow(/cannot start: SWITCHYARD_SECRET_KEY is not set: with database/)
  })
})
