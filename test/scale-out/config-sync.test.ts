import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chatAt, clusterAdmin, type GatewayCluster, startCluster } from '../helpers/gateway-cluster.js'
import { type RedisServer, startRedis } from '../helpers/redis-server.js'
import { type ServeProcess, startServe } from '../helpers/serve-process.js'
import { type RecordedRequest, type RunningMock, startChatUpstream, within } from '../helpers/upstreams.js'

const SECRET_KEY = randomBytes(32).toString('base64url')
/** A provider key typed into instance A's admin API: it must reach C, and never Redis, in plain text. */
const PLAIN_KEY = `sk-plain-${randomBytes(12).toString('hex')}`
const DOC_KEY = 'switchyard:config'
const CHANNEL = 'switchyard:config:changed'

/** Every value Redis holds, whatever the key's type, as text. */
async function everyValue(redis: Redis): Promise<string[]> {
  const out: string[] = []
  for (const key of await redis.keys('*')) {
    const type = await redis.type(key)
    if (type === 'string') out.push((await redis.get(key)) ?? '')
    else if (type === 'hash') out.push(JSON.stringify(await redis.hgetall(key)))
    else if (type === 'list') out.push(JSON.stringify(await redis.lrange(key, 0, -1)))
    else if (type === 'set') out.push(JSON.stringify(await redis.smembers(key)))
    else if (type === 'zset') out.push(JSON.stringify(await redis.zrange(key, 0, -1, 'WITHSCORES')))
    else if (type === 'stream') out.push(JSON.stringify(await redis.xrange(key, '-', '+')))
    else out.push(`<${type}>`)
    out.push(key)
  }
  return out
}

describe('config shared through Redis', () => {
  let redisServer: RedisServer
  let redis: Redis
  let listener: Redis
  const published: string[] = []
  let upstream: RunningMock & { requests: RecordedRequest[] }
  let cluster: GatewayCluster
  /** An instance whose environment has a variable the cluster's lack. */
  let odd: ServeProcess | undefined

  const admin = (i: number, method: string, path: string, body?: unknown) =>
    clusterAdmin(cluster, i, method, path, body)
  const chat = chatAt

  beforeAll(async () => {
    redisServer = await startRedis()
    redis = new Redis(redisServer.url)
    listener = new Redis(redisServer.url)
    // Both reconnect on their own when the outage test stops Redis; what they say meanwhile is expected.
    for (const c of [redis, listener]) c.on('error', () => undefined)
    listener.on('pmessage', (_pattern: string, _channel: string, message: string) => void published.push(message))
    await listener.psubscribe('*')
    upstream = await startChatUpstream()
    cluster = await startCluster({
      env: { SWITCHYARD_SECRET_KEY: SECRET_KEY },
      configYaml: `
redis: ${redisServer.url}
providers:
  mock: { type: openai-compatible, baseUrl: "${upstream.url}/v1" }
`,
    })
  })
  afterAll(async () => {
    await odd?.stop()
    await cluster?.stop()
    await upstream?.stop()
    listener?.disconnect()
    redis?.disconnect()
    await redisServer?.stop()
  })

  it('uses on C, within a second, a route added through A', async () => {
    expect((await chat(cluster.urls[2], 'fast')).status).toBe(404)
    const put = await admin(0, 'PUT', '/routes/fast', { targets: [{ model: 'mock/m' }] })
    expect(put.status).toBe(201)
    const ms = await within(1000, 'route on C', async () => (await chat(cluster.urls[2], 'fast')).status === 200)
    expect(ms).toBeLessThan(1000)
    await within(1000, 'route on B', async () => (await chat(cluster.urls[1], 'fast')).status === 200)
    // Each instance wrote the change to its own file.
    expect(readFileSync(join(cluster.instances[2].dataDir, 'test-config.yaml'), 'utf8')).toContain('fast')
  })

  it('sends a key typed into A from C, while Redis and its messages never hold it in plain text', async () => {
    const post = await admin(0, 'POST', '/providers', {
      id: 'keyed',
      type: 'openai-compatible',
      baseUrl: `${upstream.url}/v1`,
      apiKey: PLAIN_KEY,
    })
    expect(post.status).toBe(201)
    upstream.requests.length = 0
    await within(1000, 'provider on C', async () => (await chat(cluster.urls[2], 'keyed/m')).status === 200)
    const calls = upstream.requests.filter((r) => r.path === '/v1/chat/completions')
    expect(calls.at(-1)?.headers.authorization).toBe(`Bearer ${PLAIN_KEY}`)

    const values = await everyValue(redis)
    expect(values.join('\n')).toContain('keyed')
    for (const v of values) expect(v).not.toContain(PLAIN_KEY)
    expect(published.length).toBeGreaterThan(0)
    for (const m of published) expect(m).not.toContain(PLAIN_KEY)
    // Nor does C's own file: the key is in its secret store, sealed.
    const file = readFileSync(join(cluster.instances[2].dataDir, 'test-config.yaml'), 'utf8')
    expect(file).toContain('${secret:providers.keyed.apiKey}')
    expect(file).not.toContain(PLAIN_KEY)
  })

  it('refuses a document altered in Redis (a provider pointed elsewhere keeping its key) and keeps serving', async () => {
    const doc = JSON.parse((await redis.get(DOC_KEY)) as string)
    const body = JSON.parse(doc.body)
    body.config.providers.keyed.baseUrl = 'http://127.0.0.1:9/v1'
    const forged = { ...doc, version: doc.version + 100, body: JSON.stringify(body) }
    await redis.set(DOC_KEY, JSON.stringify(forged))
    await redis.incrby('switchyard:config:version', 100)
    await redis.publish(CHANNEL, String(forged.version))
    await within(3000, 'config_sync alert on C', async () => {
      const res = await admin(2, 'GET', '/alerts?kind=config_sync')
      const page = (await res.json()) as { items: { message: string }[] }
      return page.items.some((a) => a.message.includes(`version ${forged.version}`))
    })
    // Nor one stripped of its seal, which only someone without the key would publish.
    const { sealed: _stripped, ...unsealed } = doc
    const bare = { ...unsealed, version: forged.version + 1, body: JSON.stringify(body) }
    await redis.set(DOC_KEY, JSON.stringify(bare))
    await redis.incr('switchyard:config:version')
    await redis.publish(CHANNEL, String(bare.version))
    await within(3000, 'unsealed refused on C', async () => {
      const page = (await (await admin(2, 'GET', '/alerts?kind=config_sync')).json()) as {
        items: { message: string }[]
      }
      return page.items.some((a) => a.message.includes(`version ${bare.version}`) && a.message.includes('not sealed'))
    })
    upstream.requests.length = 0
    expect((await chat(cluster.urls[2], 'keyed/m')).status).toBe(200)
    expect(upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${PLAIN_KEY}`)
    const provider = (await (await admin(2, 'GET', '/providers/keyed')).json()) as { baseUrl: string }
    expect(provider.baseUrl).toBe(`${upstream.url}/v1`)
  })

  it('refuses an oversized document without loading it, and the next change still goes through', async () => {
    const version = Number(await redis.incr('switchyard:config:version'))
    await redis.set(DOC_KEY, 'x'.repeat(5 * 1024 * 1024))
    await redis.publish(CHANNEL, String(version))
    await within(3000, 'oversized refused on B', async () => {
      const page = (await (await admin(1, 'GET', '/alerts?kind=config_sync')).json()) as {
        items: { message: string }[]
      }
      return page.items.some((a) => a.message.includes('larger than'))
    })
    expect((await fetch(`${cluster.urls[1]}/health`)).status).toBe(200)
    expect((await admin(0, 'PUT', '/routes/after-big', { targets: [{ model: 'mock/m' }] })).status).toBe(201)
    await within(
      1000,
      'route after the oversized one',
      async () => (await chat(cluster.urls[1], 'after-big')).status === 200,
    )
  })

  it('leaves the config to Postgres on an instance with `database` too: Redis gets none of it, nor the URL', async () => {
    const database = 'postgres://sy:pw-only-on-e@127.0.0.1:1/only_on_e'
    odd = await startServe(
      `redis: ${redisServer.url}\ndatabase: ${database}\nproviders:\n  mock: { type: openai-compatible, baseUrl: "${upstream.url}/v1" }\n`,
      [],
      { env: { SWITCHYARD_SECRET_KEY: SECRET_KEY }, adminToken: cluster.adminToken, fromSource: true },
    )
    const put = await fetch(`${odd.baseUrl}/admin/v1/routes/from-e`, {
      method: 'PUT',
      headers: { ...odd.adminHeaders, 'content-type': 'application/json' },
      body: JSON.stringify({ targets: [{ model: 'mock/m' }] }),
    })
    expect(put.status, await put.text()).toBe(201)
    expect((await chat(odd.baseUrl, 'from-e')).status).toBe(200)
    // Past the Redis group's own sync interval: nothing of E's reached it.
    await new Promise((r) => setTimeout(r, 1500))
    expect((await chat(cluster.urls[2], 'from-e')).status).toBe(404)
    const values = (await everyValue(redis)).join('\n')
    expect(values).not.toContain('from-e')
    expect(values).not.toContain('only_on_e')
    expect(values).not.toContain('pw-only-on-e')
    for (const m of published) expect(m).not.toContain('only_on_e')
    // E kept its own: it still points at its (unreachable) Postgres.
    const health = (await (await fetch(`${odd.baseUrl}/health`)).json()) as { backends: Record<string, string> }
    expect(health.backends.postgres).toBe('unavailable')
    await odd.stop()
    odd = undefined
  })

  it('refuses, on the instances lacking it, a config that needs an environment variable; they keep theirs', async () => {
    odd = await startServe(`redis: ${redisServer.url}\n`, [], {
      env: { SWITCHYARD_SECRET_KEY: SECRET_KEY, SY_ONLY_ON_D: 'sk-from-env' },
      adminToken: cluster.adminToken,
      fromSource: true,
    })
    // D took the group's config at start, over its own file.
    expect((await chat(odd.baseUrl, 'fast')).status).toBe(200)
    const post = await fetch(`${odd.baseUrl}/admin/v1/providers`, {
      method: 'POST',
      headers: { ...odd.adminHeaders, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'envkeyed',
        type: 'openai-compatible',
        baseUrl: `${upstream.url}/v1`,
        apiKeyEnv: 'SY_ONLY_ON_D',
      }),
    })
    expect(post.status).toBe(201)
    await within(3000, 'refused on C', async () => {
      const page = (await (await admin(2, 'GET', '/alerts?kind=config_sync')).json()) as {
        items: { message: string }[]
      }
      return page.items.some((a) => a.message.includes('SY_ONLY_ON_D'))
    })
    expect((await admin(2, 'GET', '/providers/envkeyed')).status).toBe(404)
    expect((await chat(cluster.urls[2], 'fast')).status).toBe(200)
    await odd.stop()
    odd = undefined
  })

  it('ends with one config on every instance when two change it at the same moment', async () => {
    const [a, b] = await Promise.all([
      admin(0, 'PUT', '/routes/at-once-a', { targets: [{ model: 'mock/m' }] }),
      admin(1, 'PUT', '/routes/at-once-b', { targets: [{ model: 'mock/m' }] }),
    ])
    expect([a.status, b.status]).toEqual([201, 201])
    const routesOf = async (i: number) => {
      const page = (await (await admin(i, 'GET', '/routes')).json()) as { items: { name: string }[] }
      return page.items
        .map((r) => r.name)
        .sort()
        .join(',')
    }
    await within(3000, 'one config everywhere', async () => {
      const seen = await Promise.all([0, 1, 2].map(routesOf))
      return seen.every((r) => r === seen[0]) && /at-once-[ab]/.test(seen[0])
    })
  })

  it('keeps serving while Redis is down, and shares a change made meanwhile once it is back (empty)', async () => {
    await redisServer.pause()
    expect((await admin(0, 'PUT', '/routes/offline', { targets: [{ model: 'mock/m' }] })).status).toBe(201)
    expect((await chat(cluster.urls[0], 'offline')).status).toBe(200)
    expect((await chat(cluster.urls[2], 'fast')).status).toBe(200)
    // Restarted without persistence: versions start over below what the instances saw.
    await redisServer.resume()
    await within(10_000, 'offline change on C', async () => (await chat(cluster.urls[2], 'offline')).status === 200)
    expect((await admin(1, 'PUT', '/routes/after-outage', { targets: [{ model: 'mock/m' }] })).status).toBe(201)
    await within(1000, 'next change on C', async () => (await chat(cluster.urls[2], 'after-outage')).status === 200)
  })

  it('gives an instance restarted after a change the newer config', async () => {
    const c = cluster.instances[2]
    await cluster.kill(2, 'SIGTERM')
    expect((await admin(0, 'PUT', '/routes/while-down', { targets: [{ model: 'mock/m' }] })).status).toBe(201)
    await c.restart()
    // Taken before the first call is served: no polling.
    expect((await chat(c.baseUrl, 'while-down')).status).toBe(200)
    expect(readFileSync(join(c.dataDir, 'test-config.yaml'), 'utf8')).toContain('while-down')
  })
})

describe('redis without SWITCHYARD_SECRET_KEY', () => {
  let redisServer: RedisServer
  beforeAll(async () => {
    redisServer = await startRedis()
  })
  afterAll(async () => {
    await redisServer?.stop()
  })

  it('does not start, even with no credential: the shared config could not be authenticated', async () => {
    await expect(
      startServe(`redis: ${redisServer.url}\n`, [], { env: { SWITCHYARD_SECRET_KEY: '' }, fromSource: true }),
    ).rejects.toThrow(/cannot start: SWITCHYARD_SECRET_KEY is not set: with redis/)
    const keys = new Redis(redisServer.url)
    try {
      expect(await keys.keys('*')).toEqual([])
    } finally {
      keys.disconnect()
    }
  })
})
