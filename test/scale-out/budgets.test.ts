import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GatewayCluster, startCluster } from '../helpers/gateway-cluster.js'
import { type RedisServer, startRedis } from '../helpers/redis-server.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// Three `switchyard serve` processes sharing one Redis: a budget is spent once, whichever instance a call lands on.
// The mock answers every call with 20 completion tokens; at $50,000 per million output tokens (input free) one
// call costs exactly $1, and with max_tokens 20 each call reserves exactly $1 while it runs.

const KEYS = {
  SY_SOLO: 'sk-sy-budget-solo-0123456789abcdef',
  SY_TEAM_A: 'sk-sy-budget-team-a-0123456789abcdef',
  SY_TEAM_B: 'sk-sy-budget-team-b-0123456789abcdef',
  SY_STRICT: 'sk-sy-budget-strict-0123456789abcdef',
  SY_LENIENT: 'sk-sy-budget-lenient-0123456789abcdef',
  SY_WARM: 'sk-sy-budget-warm-0123456789abcdef',
}

const config = (redisUrl: string, mockUrl: string, onUnavailable: 'open' | 'closed') => `
redis: { url: "${redisUrl}", onUnavailable: { budgets: ${onUnavailable}, limits: open } }
providers:
  mock: { type: openai-compatible, baseUrl: "${mockUrl}/v1" }
pricing:
  mock/mock-gpt: { input: 0, output: 50000 }
workspaces:
  team: { name: Team, budget: { usd: 5, period: month } }
keys:
  - { name: solo, key: "\${env:SY_SOLO}", budget: { usd: 5, period: month } }
  - { name: team-a, key: "\${env:SY_TEAM_A}", workspace: team }
  - { name: team-b, key: "\${env:SY_TEAM_B}", workspace: team }
  - { name: strict, key: "\${env:SY_STRICT}", budget: { usd: 100, period: day } }
  - { name: lenient, key: "\${env:SY_LENIENT}", budget: { usd: 100, period: day } }
  - { name: warm, key: "\${env:SY_WARM}" }
discovery: { enabled: false }
`

interface Answer {
  status: number
  code?: string
  type?: string
}

async function call(url: string, key: string): Promise<Answer> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'mock/mock-gpt', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }),
  })
  const body = (await res.json()) as { error?: { code?: string; type?: string } }
  return { status: res.status, code: body.error?.code, type: body.error?.type }
}

describe('budgets shared through Redis by three instances', () => {
  let redis: RedisServer
  let mock: RunningMock
  let cluster: GatewayCluster

  /** `n` calls at once, round-robin over the instances. */
  const burst = (n: number, key: string) =>
    Promise.all(Array.from({ length: n }, (_, i) => call(cluster.urls[i % cluster.urls.length], key)))

  beforeAll(async () => {
    redis = await startRedis()
    // Answers after a pause, so every call of a burst is admitted or refused before the first one ends.
    mock = await startMockUpstream(['--latency-ms', '300'])
    cluster = await startCluster({ instances: 3, env: KEYS, configYaml: config(redis.url, mock.url, 'closed') })
    await Promise.all(cluster.urls.map((url) => call(url, KEYS.SY_WARM)))
  })
  afterAll(async () => {
    await cluster?.stop()
    await mock?.stop()
    await redis?.stop()
  })

  it('a key with a $5 budget at $1 a call: exactly 5 of 15 parallel calls succeed, then the budget is spent', async () => {
    const answers = await burst(15, KEYS.SY_SOLO)
    expect(answers.filter((a) => a.status === 200)).toHaveLength(5)
    // Refused while the five ran (their reservations held the rest) or after they were charged.
    for (const a of answers.filter((x) => x.status !== 200)) {
      expect(a.status).toBe(429)
      expect(['budget_reserved', 'budget_exceeded']).toContain(a.code)
    }
    // Once they are charged, every instance finds the budget spent.
    for (const url of cluster.urls) expect(await call(url, KEYS.SY_SOLO)).toMatchObject({ code: 'budget_exceeded' })
    // Each instance's admin view shows the shared total, not only its own calls.
    for (const [i, url] of cluster.urls.entries()) {
      const res = await fetch(`${url}/admin/v1/keys`, { headers: cluster.adminHeaders(i) })
      const { items } = (await res.json()) as { items: { name: string; budget?: { spentUsd: number } }[] }
      expect(items.find((k) => k.name === 'solo')?.budget?.spentUsd).toBeCloseTo(5, 6)
    }
  })

  it('budget alerts come from the shared total: 50, 80 and 100% although each instance ran only some of the 5 calls', async () => {
    const seen = async () => {
      const pcts = new Set<number>()
      for (const [i, url] of cluster.urls.entries()) {
        const res = await fetch(`${url}/admin/v1/alerts?kind=budget`, { headers: cluster.adminHeaders(i) })
        const { items } = (await res.json()) as { items: { keyName?: string; details: { thresholdPct?: number } }[] }
        for (const a of items) if (a.keyName === 'solo' && a.details.thresholdPct) pcts.add(a.details.thresholdPct)
      }
      return [...pcts].sort((a, b) => a - b)
    }
    const deadline = Date.now() + 5000
    while ((await seen()).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    expect(await seen()).toEqual([50, 80, 100])
  })

  it("a workspace's $5 budget over two keys and three instances: exactly 5 succeed", async () => {
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        call(cluster.urls[i % cluster.urls.length], i % 2 === 0 ? KEYS.SY_TEAM_A : KEYS.SY_TEAM_B),
      ),
    )
    expect(answers.filter((a) => a.status === 200)).toHaveLength(5)
    for (const a of answers.filter((x) => x.status !== 200)) {
      expect(a.status).toBe(429)
      expect(['workspace_budget_reserved', 'workspace_budget_exceeded']).toContain(a.code)
    }
    for (const url of cluster.urls) {
      expect(await call(url, KEYS.SY_TEAM_B)).toMatchObject({ code: 'workspace_budget_exceeded' })
    }
    // Every instance's admin view of the workspace shows the shared spend (the last total it was told).
    for (const [i, url] of cluster.urls.entries()) {
      const res = await fetch(`${url}/admin/v1/workspaces`, { headers: cluster.adminHeaders(i) })
      const { items } = (await res.json()) as { items: { id: string; spent?: number }[] }
      expect(items.find((w) => w.id === 'team')?.spent).toBeCloseTo(5, 6)
    }
  })

  it('Redis down with onUnavailable.budgets closed: a budgeted call gets 503 budgets_unavailable; unbudgeted calls go on', async () => {
    await redis.pause()
    try {
      // The connection notices within its ping interval.
      await new Promise((r) => setTimeout(r, 1500))
      const res = await call(cluster.urls[0], KEYS.SY_STRICT)
      expect(res).toMatchObject({ status: 503, code: 'budgets_unavailable' })
      expect((await call(cluster.urls[1], KEYS.SY_WARM)).status).toBe(200)
    } finally {
      await redis.resume()
    }
    // Back: budgets are checked in Redis again (a fresh Redis seeds the period from the instance's ledger).
    const deadline = Date.now() + 10_000
    let back: Answer = { status: 0 }
    while (Date.now() < deadline) {
      back = await call(cluster.urls[0], KEYS.SY_STRICT)
      if (back.status === 200) break
      await new Promise((r) => setTimeout(r, 250))
    }
    expect(back.status).toBe(200)
  })
})

describe('budgets with Redis down and onUnavailable.budgets open', () => {
  let redis: RedisServer
  let mock: RunningMock
  let cluster: GatewayCluster

  beforeAll(async () => {
    redis = await startRedis()
    mock = await startMockUpstream()
    cluster = await startCluster({ instances: 2, env: KEYS, configYaml: config(redis.url, mock.url, 'open') })
  })
  afterAll(async () => {
    await cluster?.stop()
    await mock?.stop()
    await redis?.stop()
  })

  it("Redis up: one budget for both instances; Redis down: each instance's own ledger decides", async () => {
    const ok = async (i: number) => expect((await call(cluster.urls[i], KEYS.SY_SOLO)).status).toBe(200)
    // $3 through the first instance, $2 through the second: the shared $5 is spent for both.
    for (const i of [0, 0, 0, 1, 1]) await ok(i)
    await new Promise((r) => setTimeout(r, 300))
    expect(await call(cluster.urls[1], KEYS.SY_SOLO)).toMatchObject({ status: 429, code: 'budget_exceeded' })
    await redis.pause()
    await new Promise((r) => setTimeout(r, 1500))
    // The second instance's own ledger holds its $2: three more calls fit its $5, then it refuses.
    for (let n = 0; n < 3; n++) await ok(1)
    expect(await call(cluster.urls[1], KEYS.SY_SOLO)).toMatchObject({ status: 429, code: 'budget_exceeded' })
    expect(await call(cluster.urls[0], KEYS.SY_LENIENT)).toMatchObject({ status: 200 })
  })
})
