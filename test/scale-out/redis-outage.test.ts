import Anthropic from '@anthropic-ai/sdk'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type GatewayCluster, startCluster } from '../helpers/gateway-cluster.js'
import { type RedisServer, startRedis } from '../helpers/redis-server.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// Redis stopped under running gateways: each applies its configured fail mode, says so, and recovers.

const KEY = 'sk-sy-outage-0123456789abcdef'

let redis: RedisServer
let mock: RunningMock
/** Two instances with the default `onUnavailable.limits: closed`. */
let closed: GatewayCluster
/** One instance whose policies fail open. */
let open: GatewayCluster

// Two deployments on one Redis, kept apart by their key prefixes (their config documents too).
const config = (prefix: string, onUnavailable: string) => `
redis:
  url: ${redis.url}
  keyPrefix: "${prefix}"
  onUnavailable: ${onUnavailable}
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
keys:
  - { name: ci, key: "\${env:SY_KEY}", limits: { rpm: 3 } }
discovery: { enabled: false }
`

beforeAll(async () => {
  redis = await startRedis()
  mock = await startMockUpstream()
  ;[closed, open] = await Promise.all([
    startCluster({ instances: 2, env: { SY_KEY: KEY }, configYaml: config('closed:', '{}') }),
    startCluster({
      instances: 1,
      env: { SY_KEY: KEY },
      configYaml: config('open:', '{ limits: open, budgets: open }'),
    }),
  ])
})
afterAll(async () => {
  await closed?.stop()
  await open?.stop()
  await mock?.stop()
  await redis?.stop()
})

async function call(url: string): Promise<{ status: number; code?: string; message?: string }> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'hi' }] }),
  })
  const body = (await res.json()) as { error?: { code?: string; message?: string } }
  return { status: res.status, code: body.error?.code, message: body.error?.message }
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<number> {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return Date.now() - started
}

const readyStatus = async (url: string) => (await fetch(`${url}/ready`)).status

async function alerts(cluster: GatewayCluster, i: number) {
  const res = await fetch(`${cluster.urls[i]}/admin/v1/alerts?kind=backend_unavailable`, {
    headers: cluster.adminHeaders(i),
  })
  expect(res.status).toBe(200)
  return (
    (await res.json()) as {
      items: { kind: string; level: string; message: string; workspace?: string; keyName: string | null }[]
    }
  ).items
}

it('Redis down: closed refuses with 503 limits_unavailable, open serves on local buckets; /ready, /health and an alert say so; then it recovers', async () => {
  // Up: the key's 3 requests per minute are shared by both instances.
  const before = await Promise.all([...closed.urls, ...closed.urls].map(call))
  expect(before.map((a) => a.status).sort()).toEqual([200, 200, 200, 429])

  await redis.pause()
  for (const url of closed.urls) await until('closed instance not ready', async () => (await readyStatus(url)) === 503)

  for (const url of closed.urls) {
    const ready = await fetch(`${url}/ready`)
    expect(await ready.json()).toEqual({ status: 'unavailable', backends: { redis: 'unavailable' } })
    const health = await fetch(`${url}/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok', backends: { redis: 'unavailable' } })
    const refused = await call(url)
    expect(refused.status).toBe(503)
    expect(refused.code).toBe('limits_unavailable')
    expect(refused.message).toContain('Redis')
  }
  // In the Anthropic format too, as every gateway error is.
  const anthropic = new Anthropic({ baseURL: closed.urls[1], apiKey: KEY, maxRetries: 0 })
  const viaAnthropic = await anthropic.messages
    .create({ model: 'mock/mock-gpt', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })
    .catch((err: InstanceType<typeof Anthropic.APIError>) => err)
  expect(viaAnthropic).toBeInstanceOf(Anthropic.APIError)
  expect((viaAnthropic as InstanceType<typeof Anthropic.APIError>).status).toBe(503)

  // The open instance stays ready and limits on its own buckets: 3 a minute for this instance alone.
  const openUrl = open.urls[0]
  await until('open instance sees Redis down', async () => {
    const h = (await (await fetch(`${openUrl}/health`)).json()) as { backends: { redis: string } }
    return h.backends.redis === 'unavailable'
  })
  expect(await readyStatus(openUrl)).toBe(200)
  const local = [await call(openUrl), await call(openUrl), await call(openUrl), await call(openUrl)]
  expect(local.map((a) => a.status)).toEqual([200, 200, 200, 429])

  // One alert per instance and outage, for admins (no workspace).
  await until('alert raised', async () => (await alerts(closed, 0)).length > 0)
  const [down] = await alerts(closed, 0)
  expect(down).toMatchObject({ kind: 'backend_unavailable', level: 'critical', keyName: null })
  expect(down.workspace).toBeUndefined()
  expect(down.message).toContain('limits fail closed')
  expect(down.message).not.toContain(String(redis.port))

  await redis.resume()
  const recoveredIn = await until('ready again', async () => (await readyStatus(closed.urls[0])) === 200)
  expect(recoveredIn).toBeLessThan(5000)
  for (const url of closed.urls) await until('ready again', async () => (await readyStatus(url)) === 200)
  // Redis came back empty: a full bucket of 3, shared again by both instances.
  const afterwards = await Promise.all([...closed.urls, ...closed.urls, closed.urls[0]].map(call))
  expect(afterwards.map((a) => a.status).sort()).toEqual([200, 200, 200, 429, 429])
  await until('recovery noted', async () => (await alerts(closed, 0)).length === 2)
  const [recovered] = await alerts(closed, 0)
  expect(recovered.level).toBe('warning')
  expect(recovered.message).toContain('reachable again')
})
