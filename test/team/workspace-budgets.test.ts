import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import OpenAI from 'openai'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { ADMIN_ENV, fetchAsAdmin } from '../helpers/gateway.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// Workspace budgets and limits (issue 21, board s9 decision 5): `workspaces.<id>.budget` and `.limits` apply to
// the sum of every key's calls in the workspace, through the real openai SDK against a mock upstream.

const A1 = 'sk-sy-alpha-one-0123456789abcdefSECRET'
const A2 = 'sk-sy-alpha-two-0123456789abcdefSECRET'
const B1 = 'sk-sy-beta-one-0123456789abcdefSECRETX'
const env = { SY_A1: A1, SY_A2: A2, SY_B1: B1, ...ADMIN_ENV }

let mock: RunningMock
/** Answers after a pause, so every call of a burst is admitted or refused before any of them ends. */
let slow: RunningMock
const apps: FastifyInstance[] = []
const dirs: string[] = []

beforeAll(async () => {
  mock = await startMockUpstream()
  slow = await startMockUpstream(['--latency-ms', '1500'])
})
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()))
})
afterAll(async () => {
  await mock?.stop()
  await slow?.stop()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/**
 * Workspace alpha (keys a1, a2) with `alpha` settings; beta (key b1) without any. The mock answers 20 completion
 * tokens, priced at $50 000 per million output tokens on `mock`: $1.00 a call; `cheap` costs nothing.
 */
const config = (alpha: string, upstream = mock.url) => `
workspaces:
  alpha: { name: Alpha, ${alpha} }
  beta: { name: Beta }
providers:
  mock: { type: openai-compatible, baseUrl: "${upstream}/v1", models: [mock-gpt] }
  cheap: { type: openai-compatible, baseUrl: "${upstream}/v1", models: [mock-gpt] }
pricing:
  mock/mock-gpt: { input: 0, output: 50000 }
  cheap/mock-gpt: { input: 0, output: 0 }
keys:
  - { name: a1, key: "\${env:SY_A1}", workspace: alpha }
  - { name: a2, key: "\${env:SY_A2}", workspace: alpha }
  - { name: b1, key: "\${env:SY_B1}", workspace: beta }
discovery: { enabled: false }
`

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'switchyard-ws-budgets-'))
  dirs.push(d)
  return d
}

async function start(yaml: string, dataDir = tempDir()) {
  const app = buildGateway(parseConfig(yaml, 'yaml', env), { webRoot: false, dataDir })
  apps.push(app)
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, url, dataDir }
}

const client = (url: string, apiKey: string) =>
  new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0, timeout: 60_000 })
/** A chat call bounded to the mock's 20 output tokens, so its reservation is exactly what it costs. */
const ask = (c: OpenAI, extra: Record<string, unknown> = {}) =>
  c.chat.completions
    .create({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'hi' }], max_tokens: 20, ...extra })
    .withResponse()

interface Failure {
  status: number
  headers: Headers
  error: { code?: string; message?: string } | undefined
}
async function failure(p: Promise<unknown>): Promise<Failure> {
  try {
    await p
  } catch (err) {
    const e = err as Failure
    return { status: e.status, headers: e.headers, error: e.error }
  }
  throw new Error('expected the call to fail')
}

interface WorkspaceRow {
  id: string
  budget?: { usd: number; period: string; onExceed?: string }
  limits?: { rpm?: number; tpm?: number }
  spent?: number
}
async function workspaces(url: string): Promise<WorkspaceRow[]> {
  return ((await (await fetchAsAdmin(`${url}/admin/v1/workspaces`)).json()) as { items: WorkspaceRow[] }).items
}

describe('workspace budgets', () => {
  it('is shared by every key of the workspace: the second key is refused once the first spent it', async () => {
    const { url } = await start(config('budget: { usd: 2, period: month }'))
    const a1 = client(url, A1)
    await ask(a1)
    await ask(a1)
    const refused = await failure(ask(client(url, A2)))
    expect(refused.status).toBe(429)
    expect(refused.error?.code).toBe('workspace_budget_exceeded')
    expect(refused.error?.message).toContain("workspace 'alpha'")
    // Until the month ends, like a key's budget.
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await failure(ask(a1))).error?.code).toBe('workspace_budget_exceeded')
    // Another workspace is unaffected.
    const other = await ask(client(url, B1))
    expect(other.response.status).toBe(200)

    const alpha = (await workspaces(url)).find((w) => w.id === 'alpha')!
    expect(alpha.budget).toEqual({ usd: 2, period: 'month' })
    expect(alpha.spent).toBeCloseTo(2, 6)
    expect((await workspaces(url)).find((w) => w.id === 'beta')).not.toHaveProperty('budget')

    // The portal shows the workspace's budget beside its keys'.
    const portal = (await (await fetchAsAdmin(`${url}/admin/v1/portal?workspace=alpha`)).json()) as {
      workspaceBudget: { usd: number; period: string; onExceed: string; spent: number } | null
    }
    expect(portal.workspaceBudget).toMatchObject({ usd: 2, period: 'month', onExceed: 'block' })
    expect(portal.workspaceBudget!.spent).toBeCloseTo(2, 6)

    // The 50%, 80% and 100% alerts name the workspace, as a key's name the key.
    const deadline = Date.now() + 5000
    let messages: string[] = []
    while (Date.now() < deadline) {
      const page = (await (await fetchAsAdmin(`${url}/admin/v1/alerts?kind=budget`)).json()) as {
        items: { kind: string; message: string }[]
      }
      messages = page.items.map((a) => a.message)
      if (messages.length >= 3) break
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(messages.sort()).toEqual([
      "workspace 'alpha' has used 100% of its monthly budget ($2.00 of $2.00)",
      "workspace 'alpha' has used 50% of its monthly budget ($1.00 of $2.00)",
      "workspace 'alpha' has used 80% of its monthly budget ($2.00 of $2.00)",
    ])
  })

  it('reads the period back from the request log after a restart', async () => {
    const yaml = config('budget: { usd: 2, period: day }')
    const first = await start(yaml)
    await ask(client(first.url, A1))
    await ask(client(first.url, A2))
    await first.app.close()
    const again = await start(yaml, first.dataDir)
    const refused = await failure(ask(client(again.url, A1)))
    expect(refused.error?.code).toBe('workspace_budget_exceeded')
    expect((await workspaces(again.url)).find((w) => w.id === 'alpha')!.spent).toBeCloseTo(2, 6)
  })

  it('downgrades every key of the workspace once its budget is spent', async () => {
    const { url } = await start(config('budget: { usd: 1, period: week, onExceed: "downgrade:cheap/mock-gpt" }'))
    const first = await ask(client(url, A1))
    expect(first.response.headers.get('x-switchyard-provider')).toBe('mock')
    const second = await ask(client(url, A2))
    expect(second.response.status).toBe(200)
    expect(second.response.headers.get('x-switchyard-provider')).toBe('cheap')
  })

  it('lets 40 concurrent calls of two keys spend no more than the budget when each bounds its output', async () => {
    const { url } = await start(config('budget: { usd: 5, period: month }', slow.url))
    const keys = [client(url, A1), client(url, A2)]
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => ask(keys[i % 2])))
    const served = results.filter((r) => r.status === 'fulfilled')
    const codes = new Set(results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Failure).error?.code] : [])))
    expect(served).toHaveLength(5)
    expect(codes).toEqual(new Set(['workspace_budget_reserved']))
    expect((await workspaces(url)).find((w) => w.id === 'alpha')!.spent).toBeCloseTo(5, 6)
  }, 30_000)
})

describe('UI calls made in a workspace', () => {
  /** A call as the UI makes it in a workspace (the admin token here; a session's is the same identity). */
  const uiCall = (url: string, model: string) =>
    fetchAsAdmin(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-switchyard-workspace': 'alpha' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 20 }),
    })

  it('spend its budget with its keys, and reach only what is shared with it', async () => {
    const yaml = config('budget: { usd: 1, period: month }').replace(
      'discovery:',
      'routes:\n  beta-only: { targets: [{ model: mock/mock-gpt }], workspaces: [beta] }\ndiscovery:',
    )
    const { url } = await start(yaml)
    const denied = await uiCall(url, 'beta-only')
    expect(denied.status).toBe(403)
    expect(((await denied.json()) as { error: { message: string } }).error.message).toContain(
      "not shared with its workspace 'alpha'",
    )
    expect((await uiCall(url, 'mock/mock-gpt')).status).toBe(200)
    expect((await failure(ask(client(url, A1)))).error?.code).toBe('workspace_budget_exceeded')
    const refused = await uiCall(url, 'mock/mock-gpt')
    expect(refused.status).toBe(429)
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('workspace_budget_exceeded')
  })
})

describe('workspace limits', () => {
  it('counts the calls of all its keys against its rpm, and no other workspace’s', async () => {
    const { url } = await start(config('limits: { rpm: 2 }'))
    await ask(client(url, A1))
    await ask(client(url, A2))
    const refused = await failure(ask(client(url, A1)))
    expect(refused.status).toBe(429)
    expect(refused.error?.code).toBe('workspace_rate_limited')
    expect(refused.error?.message).toContain("workspace 'alpha'")
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(refused.headers.get('x-ratelimit-limit-requests')).toBe('2')
    expect((await ask(client(url, B1))).response.status).toBe(200)
    expect((await workspaces(url)).find((w) => w.id === 'alpha')!.limits).toEqual({ rpm: 2 })
  })
})

describe('PUT /admin/v1/workspaces/:id', () => {
  const put = (url: string, body: object) =>
    fetchAsAdmin(`${url}/admin/v1/workspaces/alpha`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })

  it('sets a budget and limits, keeps them when a rename leaves them out, and removes them with null', async () => {
    const { url } = await start(config('description: Research'))
    expect((await put(url, { name: 'Alpha', budget: { usd: 1, period: 'day' }, limits: { rpm: 5 } })).status).toBe(200)
    // Enforced at once: the config change applies to the next call.
    await ask(client(url, A1))
    expect((await failure(ask(client(url, A2)))).error?.code).toBe('workspace_budget_exceeded')

    const renamed = await put(url, { name: 'Alpha team' })
    expect(await renamed.json()).toMatchObject({
      name: 'Alpha team',
      description: 'Research',
      budget: { usd: 1, period: 'day' },
      limits: { rpm: 5 },
    })
    const cleared = (await (await put(url, { name: 'Alpha team', budget: null })).json()) as WorkspaceRow
    expect(cleared).not.toHaveProperty('budget')
    expect(cleared.limits).toEqual({ rpm: 5 })
    expect((await ask(client(url, A2))).response.status).toBe(200)
  })

  it('refuses a downgrade to a provider the config does not have, and limits out of bounds', async () => {
    const { url } = await start(config('description: Research'))
    const nowhere = await put(url, { name: 'Alpha', budget: { usd: 1, period: 'day', onExceed: 'downgrade:gone/x' } })
    expect(nowhere.status).toBe(400)
    expect(((await nowhere.json()) as { error: { param: string } }).error.param).toBe(
      'workspaces.alpha.budget.onExceed',
    )
    expect((await put(url, { name: 'Alpha', limits: { rpm: 0 } })).status).toBe(400)
    expect((await put(url, { name: 'Alpha', limits: { rpm: 5, burst: 9 } })).status).toBe(400)
    expect((await put(url, { name: 'Alpha', budget: { usd: -1, period: 'day' } })).status).toBe(400)
    expect((await workspaces(url)).find((w) => w.id === 'alpha')).not.toHaveProperty('budget')
  })

  it('refuses a config file whose workspace budget downgrades nowhere', () => {
    expect(() =>
      parseConfig(config('budget: { usd: 1, period: day, onExceed: "downgrade:gone/x" }'), 'yaml', env),
    ).toThrow(/workspaces\/alpha\/budget\/onExceed/)
  })
})
