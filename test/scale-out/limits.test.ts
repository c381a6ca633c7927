import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GatewayCluster, startCluster } from '../helpers/gateway-cluster.js'
import { type RedisServer, startRedis } from '../helpers/redis-server.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// Three `switchyard serve` processes sharing one Redis: a limit is the same limit whichever instance a call lands on.

const KEYS = {
  SY_CI: 'sk-sy-scale-ci-0123456789abcdef',
  SY_USERS: 'sk-sy-scale-users-0123456789abcdef',
  SY_TEAM_A: 'sk-sy-scale-team-a-0123456789abcdef',
  SY_TEAM_B: 'sk-sy-scale-team-b-0123456789abcdef',
  SY_WARM: 'sk-sy-scale-warm-0123456789abcdef',
}

let redis: RedisServer
let mock: RunningMock
let cluster: GatewayCluster

beforeAll(async () => {
  redis = await startRedis()
  // Answers after a pause, so every call of a burst is admitted or refused before the first one ends.
  mock = await startMockUpstream(['--latency-ms', '300'])
  cluster = await startCluster({
    instances: 3,
    env: KEYS,
    configYaml: `
redis: ${redis.url}
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
workspaces:
  team: { name: Team, limits: { rpm: 10 } }
keys:
  - { name: ci, key: "\${env:SY_CI}", limits: { rpm: 50 } }
  - { name: users, key: "\${env:SY_USERS}", limits: { perUserRpm: 5 } }
  - { name: team-a, key: "\${env:SY_TEAM_A}", workspace: team }
  - { name: team-b, key: "\${env:SY_TEAM_B}", workspace: team }
  - { name: warm, key: "\${env:SY_WARM}" }
discovery: { enabled: false }
`,
  })
  // Each instance answers once before the bursts, so none is still loading code while the others count.
  await Promise.all(cluster.urls.map((url) => call(url, KEYS.SY_WARM)))
})
afterAll(async () => {
  await cluster?.stop()
  await mock?.stop()
  await redis?.stop()
})

interface Answer {
  status: number
  headers: Headers
  code?: string
}

async function call(url: string, key: string, user?: string): Promise<Answer> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'hi' }], user }),
  })
  const body = (await res.json()) as { error?: { code?: string } }
  return { status: res.status, headers: res.headers, code: body.error?.code }
}

/** `n` calls at once, round-robin over the instances. */
const burst = (n: number, key: string, user?: string) =>
  Promise.all(Array.from({ length: n }, (_, i) => call(cluster.urls[i % cluster.urls.length], key, user)))

describe('limits shared through Redis by three instances', () => {
  it('a key with rpm 50: exactly 50 of 200 parallel calls succeed, the rest get 429 with Retry-After', async () => {
    const answers = await burst(200, KEYS.SY_CI)
    const ok = answers.filter((a) => a.status === 200)
    const refused = answers.filter((a) => a.status === 429)
    expect(ok).toHaveLength(50)
    expect(refused).toHaveLength(150)
    for (const r of refused) {
      expect(r.code).toBe('rate_limit_exceeded')
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    }
    // One bucket for all: every admitted call saw a different count left, 49 down to 0.
    const remaining = ok.map((a) => Number(a.headers.get('x-ratelimit-remaining-requests')))
    expect(remaining.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i))

    // Asked afterwards, every instance tells the same numbers.
    const after = await Promise.all(cluster.urls.map((url) => call(url, KEYS.SY_CI)))
    for (const a of after) {
      expect(a.status).toBe(429)
      expect(a.headers.get('x-ratelimit-limit-requests')).toBe('50')
      expect(a.headers.get('x-ratelimit-remaining-requests')).toBe('0')
    }
    const resets = after.map((a) => Number.parseInt(a.headers.get('x-ratelimit-reset-requests') ?? '', 10))
    expect(Math.max(...resets) - Math.min(...resets)).toBeLessThanOrEqual(1)
  })

  it('per-user RPM counts each end user once across the instances', async () => {
    const [alice, bob] = await Promise.all([burst(12, KEYS.SY_USERS, 'alice'), burst(12, KEYS.SY_USERS, 'bob')])
    for (const answers of [alice, bob]) {
      expect(answers.filter((a) => a.status === 200)).toHaveLength(5)
      expect(answers.filter((a) => a.status === 429)).toHaveLength(7)
    }
  })

  it("a workspace's limit holds over all its keys and all instances", async () => {
    const answers = await Promise.all([burst(15, KEYS.SY_TEAM_A), burst(15, KEYS.SY_TEAM_B)])
    const all = answers.flat()
    expect(all.filter((a) => a.status === 200)).toHaveLength(10)
    const refused = all.filter((a) => a.status === 429)
    expect(refused).toHaveLength(20)
    for (const r of refused) expect(r.code).toBe('workspace_rate_limited')
  })

  it('/health and /ready report Redis as reachable', async () => {
    for (const url of cluster.urls) {
      const health = await fetch(`${url}/health`)
      expect(await health.json()).toEqual({ status: 'ok', backends: { redis: 'ok' } })
      const ready = await fetch(`${url}/ready`)
      expect(ready.status).toBe(200)
      expect(await ready.json()).toEqual({ status: 'ready' })
    }
  })
})
