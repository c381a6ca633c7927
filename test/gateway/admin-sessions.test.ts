import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import type { LogEvent } from '../../src-gateway/core/log-event.js'
import { buildGateway } from '../../src-gateway/server.js'
import {
  type ProjectList,
  ProjectListSchema,
  type SessionDetail,
  SessionDetailSchema,
  type SessionPage,
  SessionPageSchema,
} from '../../src-shared/contract/sessions.js'
import { adminHeadersOf } from '../helpers/gateway.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// GET /admin/v1/sessions and /sessions/:id over a real request log: sessions made by real calls through the
// gateway (Claude Code- and Codex-style), and logged rows with known totals, interleaved in time.

const MIN = 60_000
const T0 = Date.parse('2025-06-01T09:00:00Z')
let mock: RunningMock
let app: FastifyInstance
let url: string
const dir = mkdtempSync(join(tmpdir(), 'switchyard-sessions-'))

const base = (i: number, over: Partial<LogEvent>): LogEvent => ({
  requestId: `req_${i}`,
  startedAt: T0 + i * MIN,
  inboundApi: 'anthropic',
  requestedModel: 'openai/house-model',
  provider: 'openai',
  model: 'house-model',
  status: 200,
  latencyMs: 1000,
  inputTokens: 1000,
  outputTokens: 100,
  stream: true,
  attempts: 1,
  ...over,
})

/**
 * Session `alpha` (Claude Code, key ci) from minute 0 to 9 with a call at minute 30; `beta` (Codex, project
 * billing) at minutes 10–20; `gamma` (another tool) a day earlier; calls without a session between them, one
 * of them in project billing.
 */
function rows(): LogEvent[] {
  const alpha = { sessionId: 'alpha', clientTool: 'claude-code', keyName: 'ci' }
  return [
    base(0, { ...alpha, cachedTokens: 800 }),
    base(1, { ...alpha, model: 'small-model', requestedModel: 'openai/small-model' }),
    base(2, { ...alpha, status: 529, error: 'overloaded', inputTokens: undefined, outputTokens: undefined }),
    base(3, { ...alpha, isCacheHit: true }),
    base(9, { ...alpha, latencyMs: 2500 }),
    base(5, {}),
    base(10, { sessionId: 'beta', clientTool: 'codex', project: 'billing', inboundApi: 'responses' }),
    base(15, { sessionId: 'beta', clientTool: 'codex', project: 'billing', inboundApi: 'responses' }),
    base(20, { sessionId: 'beta', clientTool: 'codex', project: 'billing', inboundApi: 'responses' }),
    // A call in a project but in no session.
    base(25, { project: 'billing' }),
    base(30, { ...alpha }),
    base(-24 * 60, { sessionId: 'gamma', clientTool: 'aider' }),
  ]
}

/**
 * Two days later, in the order a log writer writes them (when each call ends): a long call started 10
 * minutes before noon ends after `delta`'s quick one started at 12:01, so its row comes later.
 */
const NOON = Date.parse('2025-06-03T12:00:00Z')
const writtenLate = (): LogEvent[] => [
  base(0, { requestId: 'early', startedAt: NOON - 40 * MIN }),
  base(0, { requestId: 'quick', startedAt: NOON + MIN, sessionId: 'delta' }),
  base(0, { requestId: 'long', startedAt: NOON - 10 * MIN, latencyMs: 12 * MIN }),
]

const schemas = new Map<TSchema, ReturnType<typeof Compile>>()
function conforms(schema: TSchema, value: unknown) {
  const checker = schemas.get(schema) ?? Compile(schema)
  schemas.set(schema, checker)
  expect([...checker.Errors(value)].map((e) => `${e.instancePath} ${e.message}`)).toEqual([])
}

async function get<T>(path: string, status = 200): Promise<T> {
  const res = await fetch(`${url}${path}`, { headers: adminHeadersOf(app) })
  const text = await res.text()
  expect(res.status, text).toBe(status)
  return JSON.parse(text) as T
}

const page = async (query: string) => {
  const p = await get<SessionPage>(`/admin/v1/sessions?${query}`)
  conforms(SessionPageSchema, p)
  return p
}

const DAY_RANGE = 'from=2025-06-01T00:00:00Z&to=2025-06-02T00:00:00Z'

beforeAll(async () => {
  mock = await startMockUpstream()
  const config = parseConfig(
    `
providers:
  openai: { type: openai, apiKey: sk-test, models: [house-model, small-model] }
  compat: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
pricing:
  openai/house-model: { input: 2, output: 4 }
  openai/small-model: { input: 1, output: 1 }
logs: { maxAgeDays: 36500 }
`,
    'yaml',
    {},
  )
  app = buildGateway(config, { webRoot: false, dataDir: dir })
  url = await app.listen({ host: '127.0.0.1', port: 0 })
  // Written in the order the calls were made, as the log writer does.
  for (const e of rows().sort((a, b) => a.startedAt - b.startedAt)) app.gateway.sink.push(e)
  for (const e of writtenLate()) app.gateway.sink.push(e)
  app.requestLog.flush()
})

afterAll(async () => {
  await app?.close()
  await mock?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('GET /admin/v1/sessions', () => {
  it('lists the sessions active in the range, most recent first, with their totals', async () => {
    const p = await page(DAY_RANGE)
    expect(p.items.map((s) => s.id)).toEqual(['alpha', 'beta'])
    expect(p).toMatchObject({ total: 2, isTotalCapped: false, nextCursor: null })
    const [alpha, beta] = p.items
    expect(alpha).toMatchObject({
      tool: 'claude-code',
      project: null,
      keyName: 'ci',
      models: ['house-model', 'small-model'],
      calls: 6,
      inputTokens: 5000,
      outputTokens: 500,
      cachedTokens: 800,
      cacheHits: 1,
      errors: 1,
      firstAt: '2025-06-01T09:00:00.000Z',
      lastAt: '2025-06-01T09:30:00.000Z',
      // From the first call's start to the end of the last one (1 s long).
      durationMs: 30 * MIN + 1000,
    })
    // house-model at $2/$4 per million: four priced calls of 1000 in, 100 out; one on small-model at $1/$1;
    // the cache hit costs nothing; the failed call has no usage.
    expect(alpha.costUsd).toBeCloseTo((3 * (1000 * 2 + 100 * 4)) / 1e6 + (1000 + 100) / 1e6, 9)
    expect(beta).toMatchObject({ tool: 'codex', project: 'billing', keyName: null, calls: 3, errors: 0 })
    expect(beta.durationMs).toBe(10 * MIN + 1000)
  })

  it('filters by project, key and tool, and by range', async () => {
    expect((await page(`${DAY_RANGE}&project=billing`)).items.map((s) => s.id)).toEqual(['beta'])
    expect((await page(`${DAY_RANGE}&key=ci`)).items.map((s) => s.id)).toEqual(['alpha'])
    expect((await page(`${DAY_RANGE}&tool=codex`)).items.map((s) => s.id)).toEqual(['beta'])
    expect((await page(`${DAY_RANGE}&project=nothing-here`)).items).toEqual([])
    const dayBefore = await page('from=2025-05-31T00:00:00Z&to=2025-06-01T00:00:00Z')
    expect(dayBefore.items.map((s) => s.id)).toEqual(['gamma'])
    // Active in the range by its last call there: alpha's minute-30 call is outside 09:00–09:12.
    const early = await page('from=2025-06-01T09:00:00Z&to=2025-06-01T09:12:00Z')
    expect(early.items.map((s) => s.id)).toEqual(['beta', 'alpha'])
  })

  it('finds a call written after a longer one that started before the range', async () => {
    const p = await page('from=2025-06-03T12:00:00Z&to=2025-06-03T13:00:00Z')
    expect(p.items.map((s) => s.id)).toEqual(['delta'])
  })

  it('pages through every session once, even one whose calls surround another', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const p: SessionPage = await page(
        `from=2025-05-01T00:00:00Z&to=2025-07-01T00:00:00Z&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      )
      expect(p.items).toHaveLength(1)
      seen.push(p.items[0].id)
      cursor = p.nextCursor
    } while (cursor)
    expect(seen).toEqual(['delta', 'alpha', 'beta', 'gamma'])
  })

  it('refuses a range that ends before it starts, and a limit out of bounds', async () => {
    await get('/admin/v1/sessions?from=2025-06-02T00:00:00Z&to=2025-06-01T00:00:00Z', 400)
    await get('/admin/v1/sessions?limit=0', 400)
  })

  it('is for the admin only', async () => {
    const res = await fetch(`${url}/admin/v1/sessions`)
    expect(res.status).toBe(401)
  })
})

describe('GET /admin/v1/sessions/:id', () => {
  it("answers the session's totals and its calls in the order they were made", async () => {
    const d = await get<SessionDetail>('/admin/v1/sessions/alpha')
    conforms(SessionDetailSchema, d)
    expect(d.session).toMatchObject({ id: 'alpha', calls: 6 })
    expect(d.calls.map((c) => c.requestId)).toEqual(['req_0', 'req_1', 'req_2', 'req_3', 'req_9', 'req_30'])
    expect(d.calls.every((c) => c.sessionId === 'alpha' && c.clientTool === 'claude-code')).toBe(true)
    expect(d.nextCursor).toBeNull()
  })

  it('pages through the calls', async () => {
    const first = await get<SessionDetail>('/admin/v1/sessions/alpha?limit=4')
    expect(first.calls.map((c) => c.requestId)).toEqual(['req_0', 'req_1', 'req_2', 'req_3'])
    const rest = await get<SessionDetail>(`/admin/v1/sessions/alpha?limit=4&cursor=${first.nextCursor}`)
    expect(rest.calls.map((c) => c.requestId)).toEqual(['req_9', 'req_30'])
    expect(rest.nextCursor).toBeNull()
  })

  it('is a 404 for a session with no calls', async () => {
    const body = await get<{ error: { code: string } }>(
      `/admin/v1/sessions/${encodeURIComponent('no such#session')}`,
      404,
    )
    expect(body.error.code).toBe('session_not_found')
  })
})

describe('GET /admin/v1/projects', () => {
  const projects = async (query: string) => {
    const list = await get<ProjectList>(`/admin/v1/projects?${query}`)
    conforms(ProjectListSchema, list)
    return list.items
  }

  it("totals each project's calls in the range, sessions or not", async () => {
    expect(await projects(DAY_RANGE)).toEqual([
      {
        project: 'billing',
        sessions: 1,
        calls: 4,
        inputTokens: 4000,
        outputTokens: 400,
        cachedTokens: 0,
        costUsd: expect.closeTo((4 * (1000 * 2 + 100 * 4)) / 1e6, 9),
        errors: 0,
        lastAt: '2025-06-01T09:25:00.000Z',
      },
    ])
  })

  it('filters by range, key and tool', async () => {
    expect(await projects('from=2025-06-01T09:00:00Z&to=2025-06-01T09:12:00Z')).toMatchObject([
      { project: 'billing', calls: 1 },
    ])
    expect(await projects(`${DAY_RANGE}&tool=claude-code`)).toEqual([])
    expect(await projects(`${DAY_RANGE}&tool=codex`)).toMatchObject([{ project: 'billing', calls: 3 }])
    expect(await projects('from=2025-05-31T00:00:00Z&to=2025-06-01T00:00:00Z')).toEqual([])
  })
})

describe('the request log filtered by session', () => {
  it("lists and exports only the session's calls", async () => {
    const list = await get<{ items: { requestId: string }[]; total: number }>('/admin/v1/logs?session=beta')
    expect(list.items.map((c) => c.requestId)).toEqual(['req_20', 'req_15', 'req_10'])
    expect(list.total).toBe(3)
    const res = await fetch(`${url}/admin/v1/logs/export?session=beta&format=jsonl`, { headers: adminHeadersOf(app) })
    const lines = (await res.text()).trim().split('\n')
    expect(lines.map((l) => (JSON.parse(l) as { sessionId: string }).sessionId)).toEqual(['beta', 'beta', 'beta'])
  })
})

describe('sessions of real calls', () => {
  it('groups Claude Code and Codex calls made through the gateway', async () => {
    const claudeSession = '5f0c1f0e-8d0b-4d6f-9a52-3a1f2b3c4d5e'
    const send = (path: string, body: unknown, headers: Record<string, string>) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }).then(async (r) => expect(r.status, await r.text()).toBe(200))
    const userId = JSON.stringify({ device_id: 'd', account_uuid: '', session_id: claudeSession })
    for (let turn = 0; turn < 3; turn++) {
      await send(
        '/v1/messages?beta=true',
        {
          model: 'compat/mock-gpt',
          max_tokens: 20,
          messages: [{ role: 'user', content: `turn ${turn}` }],
          metadata: { user_id: userId },
        },
        { 'user-agent': 'claude-cli/2.1.331 (external, sdk-cli)', 'x-switchyard-project': 'switchyard' },
      )
    }
    await send(
      '/v1/responses',
      { model: 'compat/mock-gpt', input: 'hi' },
      { 'user-agent': 'codex_exec/0.169.0', 'session-id': 'codex-1' },
    )
    // Each row is written as its call ends, just after the client has its answer.
    const from = new Date(Date.now() - 3_600_000).toISOString()
    let p = await page(`from=${from}`)
    for (let i = 0; i < 100 && p.items.reduce((n, s) => n + s.calls, 0) < 4; i++) {
      await new Promise((r) => setTimeout(r, 20))
      app.requestLog.flush()
      p = await page(`from=${from}`)
    }
    expect(p.items.map((s) => [s.id, s.tool, s.calls, s.project])).toEqual([
      ['codex-1', 'codex', 1, null],
      [claudeSession, 'claude-code', 3, 'switchyard'],
    ])
    const d = await get<SessionDetail>(`/admin/v1/sessions/${claudeSession}`)
    expect(d.calls.map((c) => c.inboundApi)).toEqual(['anthropic', 'anthropic', 'anthropic'])
    expect(d.session.models).toEqual(['mock-gpt'])
  })
})
