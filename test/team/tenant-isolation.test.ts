import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import type { LogItem } from '../../src-shared/contract/index.js'
import { ADMIN_ENV, TEST_ADMIN_TOKEN } from '../helpers/gateway.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// Tenant isolation (issue 21): a developer of workspace A reads nothing of workspace B through the admin log,
// stats, sessions and keys routes (list, detail, search, export, totals, sessions, keys), cannot replay B's calls
// and cannot change B's keys; the owner sees both. The developer is a service account, the owner the admin token.
// Prompts, their versions and labels, feedback and comparison runs belong to a workspace too: the developer lists,
// reads, changes, runs, exports and rates none of B's (404, as for what does not exist), and a key of A cannot run
// B's prompt endpoint.

const KEY_A = 'sk-sy-tenant-a-0123456789abcdef'
const KEY_B = 'sk-sy-tenant-b-0123456789abcdef'
// Words only in each workspace's prompt, so a search for B's word can find only B's row.
const WORD_A = 'aardvarkalpha'
const WORD_B = 'bravozebraword'
const SESSION_A = 'tenant-session-a'
const SESSION_B = 'tenant-session-b'

const yaml = (upstream: string) => `
discovery: { enabled: false }
auth: { mode: team }
workspaces:
  a: { name: A }
  b: { name: B }
providers:
  compat: { type: openai-compatible, baseUrl: "${upstream}/v1" }
keys:
  - { name: key-a, key: "\${env:KEY_A}", workspace: a }
  - { name: key-b, key: "\${env:KEY_B}", workspace: b }
`

// Alerts, the audit trail, providers, routes, the Overview's database numbers and Ollama's model list (issue 21,
// board s9 part C): a developer of workspace a sees their workspace's and shared things, nothing of b's, and no
// gateway-wide alert or admin-only audit entry; the owner (admin token) sees everything.
const sharedYaml = (upstream: string) => `
discovery: { enabled: false }
auth: { mode: team }
alerts: { minHourlyUsd: 1 }
workspaces:
  a: { name: A, budget: { usd: 1.5, period: month } }
  b: { name: B }
providers:
  shared: { type: openai-compatible, baseUrl: "${upstream}/v1" }
  only-a: { type: openai-compatible, baseUrl: "${upstream}/v1", workspaces: [a] }
  only-b: { type: openai-compatible, baseUrl: "${upstream}/v1", workspaces: [b] }
routes:
  everyone: { targets: [{ model: shared/mock-gpt }] }
  route-b: { targets: [{ model: only-b/mock-gpt }], workspaces: [b] }
# The mock answers 20 completion tokens: $1.00 a call, 67% of each key's budget and of workspace a's, and the
# hour's first dollar is a (gateway-wide) cost anomaly.
pricing:
  shared/mock-gpt: { input: 0, output: 50000 }
keys:
  - { name: key-a, key: "\${env:KEY_A}", workspace: a, budget: { usd: 1.5, period: month } }
  - { name: key-b, key: "\${env:KEY_B}", workspace: b, budget: { usd: 1.5, period: month } }
`

describe('tenant isolation of alerts, audit, providers, routes and model lists', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-tenancy-reads-'))
  let upstream: RunningMock
  let app: FastifyInstance
  let url: string
  let developer = ''

  const call = (bearer: string, path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${url}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    })
  const owner = (path: string, init?: { method?: string; body?: unknown }) => call(TEST_ADMIN_TOKEN, path, init)
  const dev = (path: string, init?: { method?: string; body?: unknown }) => call(developer, path, init)
  const json = async <T>(res: Response | Promise<Response>, status = 200): Promise<T> => {
    const r = await res
    expect(r.status, await r.clone().text()).toBe(status)
    return (await r.json()) as T
  }
  type Alert = { id: number; kind: string; keyName: string | null; workspace?: string; acknowledgedAt: string | null }
  const alertsOf = async (as: typeof owner, query = '') =>
    (await json<{ items: Alert[]; total: number }>(as(`/admin/v1/alerts?limit=50${query}`))).items

  beforeAll(async () => {
    upstream = await startMockUpstream()
    const config = parseConfig(sharedYaml(upstream.url), 'yaml', { ...ADMIN_ENV, KEY_A, KEY_B })
    app = buildGateway(config, { webRoot: false, dataDir: dir, configPath: join(dir, 'config.yaml') })
    url = await app.listen({ host: '127.0.0.1', port: 0 })
    const made = await json<{ token: string }>(
      owner('/admin/v1/team/service-accounts', { body: { name: 'ci of a', role: 'developer', workspaces: ['a'] } }),
      201,
    )
    developer = made.token
    for (const key of [KEY_A, KEY_B]) {
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: key, maxRetries: 0 })
      await client.chat.completions.create({ model: 'everyone', messages: [{ role: 'user', content: 'hi' }] })
    }
    app.requestLog.flush()
    // Alerts are stored after the call that raised them: a budget alert per key, a's budget and the cost anomaly.
    for (let i = 0; i < 100 && (await alertsOf(owner)).length < 4; i++) await new Promise((r) => setTimeout(r, 20))
  })

  afterAll(async () => {
    await app?.close()
    await upstream?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('lists only the member’s workspaces’ alerts, and no gateway-wide one', async () => {
    const all = await alertsOf(owner)
    expect(all.map((a) => [a.kind, a.keyName, a.workspace]).sort()).toEqual([
      ['budget', null, 'a'],
      ['budget', 'key-a', 'a'],
      ['budget', 'key-b', 'b'],
      ['cost_anomaly', null, undefined],
    ])
    for (const query of ['', '&kind=budget', '&status=open']) {
      expect((await alertsOf(dev, query)).map((a) => [a.keyName, a.workspace]).sort()).toEqual([
        [null, 'a'],
        ['key-a', 'a'],
      ])
    }
    expect(await alertsOf(dev, '&kind=cost_anomaly')).toEqual([])
    const page = await json<{ total: number }>(dev('/admin/v1/alerts'))
    expect(page.total).toBe(2)
  })

  it('acknowledges only the member’s workspaces’ alerts: another’s is not found', async () => {
    const all = await alertsOf(owner)
    const theirs = all.find((a) => a.keyName === 'key-b')!
    const global = all.find((a) => a.kind === 'cost_anomaly')!
    const mine = all.find((a) => a.keyName === 'key-a')!
    const workspaceA = all.find((a) => a.kind === 'budget' && a.keyName === null)!
    for (const other of [theirs, global]) {
      const res = await dev(`/admin/v1/alerts/${other.id}/ack`, { method: 'POST' })
      expect(res.status).toBe(404)
    }
    expect((await json<Alert>(dev(`/admin/v1/alerts/${mine.id}/ack`, { method: 'POST' }))).acknowledgedAt).not.toBe(
      null,
    )
    const open = await alertsOf(owner, '&status=open')
    expect(open.map((a) => a.id).sort()).toEqual([theirs.id, global.id, workspaceA.id].sort())
  })

  it('lists and shows only the providers shared with the member’s workspaces', async () => {
    const ids = async (as: typeof owner) =>
      (await json<{ items: { id: string }[] }>(as('/admin/v1/providers'))).items.map((p) => p.id).sort()
    expect(await ids(dev)).toEqual(['only-a', 'shared'])
    expect(await ids(owner)).toEqual(['only-a', 'only-b', 'shared'])
    const other = await dev('/admin/v1/providers/only-b')
    expect(other.status).toBe(404)
    expect((await other.json()).error.code).toBe('provider_not_found')
    await json(dev('/admin/v1/providers/only-a'))
    await json(owner('/admin/v1/providers/only-b'))
  })

  it('lists only the routes and models shared with the member’s workspaces', async () => {
    const routes = async (as: typeof owner) =>
      (await json<{ items: { name: string }[] }>(as('/admin/v1/routes'))).items.map((r) => r.name).sort()
    expect(await routes(dev)).toEqual(['everyone'])
    expect(await routes(owner)).toEqual(['everyone', 'route-b'])
    const models = async (as: typeof owner) =>
      (await json<{ items: { id: string }[] }>(as('/admin/v1/models'))).items.map((m) => m.id)
    const seen = await models(dev)
    expect(seen).toContain('everyone')
    expect(seen.filter((id) => id === 'route-b' || id.startsWith('only-b/'))).toEqual([])
    const everything = await models(owner)
    expect(everything).toContain('route-b')
    expect(everything).toContain('only-b/mock-gpt')
  })

  it('lists in Ollama’s /api/tags, /api/show and /api/ps only what the key’s workspace may call', async () => {
    type Tags = { models: { name: string }[] }
    const tagsA = (await json<Tags>(call(KEY_A, '/api/tags'))).models.map((m) => m.name)
    expect(tagsA).toContain('everyone')
    expect(tagsA).toContain('only-a/mock-gpt')
    expect(tagsA.filter((n) => n === 'route-b' || n.startsWith('only-b/'))).toEqual([])
    const tagsB = (await json<Tags>(call(KEY_B, '/api/tags'))).models.map((m) => m.name)
    expect(tagsB).toContain('route-b')
    expect(tagsB).toContain('only-b/mock-gpt')
    expect(tagsB.filter((n) => n.startsWith('only-a/'))).toEqual([])
    for (const model of ['route-b', 'only-b/mock-gpt']) {
      expect((await call(KEY_A, '/api/show', { body: { model } })).status).toBe(404)
      await json(call(KEY_B, '/api/show', { body: { model } }))
    }
    const ps = await json<{ models: { name: string }[] }>(call(KEY_A, '/api/ps'))
    expect(ps.models.filter((m) => m.name.startsWith('only-b/'))).toEqual([])

    // The web UI's keyless calls list what the workspace it works in shares.
    const member = { name: 'Ada A', email: 'ada@example.com', password: 'correct horse battery', role: 'developer' }
    await json(owner('/admin/v1/team/members', { body: { ...member, workspaces: ['a'] } }), 201)
    const signIn = await fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: member.email, password: member.password }),
    })
    const cookie = signIn.headers.get('set-cookie')?.split(';')[0] ?? ''
    const ui = await fetch(`${url}/api/tags`, {
      headers: { cookie, 'x-switchyard-csrf': '1', 'x-switchyard-workspace': 'a' },
    })
    expect(ui.status, await ui.clone().text()).toBe(200)
    const tagsUi = ((await ui.json()) as Tags).models.map((m) => m.name)
    expect(tagsUi).toContain('everyone')
    expect(tagsUi.filter((n) => n === 'route-b' || n.startsWith('only-b/'))).toEqual([])
  })

  it('shows a member their own rows’ count on the Overview, not the database’s size', async () => {
    type Db = { db: { rows: number; sizeBytes?: number; usedBytes?: number } }
    const mine = await json<Db>(dev('/admin/v1/stats?bucket=hour'))
    expect(mine.db).toEqual({ rows: 1 })
    const overview = await json<{ overall: Db }>(dev('/admin/v1/stats/overview?bucket=hour'))
    expect(overview.overall.db).toEqual({ rows: 1 })
    const all = await json<Db>(owner('/admin/v1/stats?bucket=hour'))
    expect(all.db.rows).toBe(2)
    expect(all.db.sizeBytes).toBeGreaterThan(0)
  })

  it('shows a member the audit entries of their workspaces and of shared config, nothing admin-only', async () => {
    const changes: [string, { method?: string; body: unknown }][] = [
      ['/admin/v1/keys', { body: { name: 'audit-a', workspace: 'a' } }],
      ['/admin/v1/keys', { body: { name: 'audit-b', workspace: 'b' } }],
      [
        '/admin/v1/routes/route-a',
        { method: 'PUT', body: { targets: [{ model: 'only-a/mock-gpt' }], workspaces: ['a'] } },
      ],
      ['/admin/v1/routes/route-b', { method: 'PUT', body: { targets: [{ model: 'only-b/other' }] } }],
      [
        '/admin/v1/routes/everyone',
        {
          method: 'PUT',
          body: { strategy: 'fallback', targets: [{ model: 'shared/mock-gpt' }, { model: 'shared/other' }] },
        },
      ],
      ['/admin/v1/providers/only-b', { method: 'PUT', body: { baseUrl: `${upstream.url}/v1/` } }],
      ['/admin/v1/workspaces/c', { method: 'PUT', body: { name: 'C' } }],
      ['/admin/v1/portal/requests', { body: { model: 'route-b', key: 'key-b', reason: 'for b' } }],
      // Saved without a workspace by an admin: the default workspace's, which is not the developer's.
      ['/admin/v1/prompts/p-default/versions', { body: { messages: [{ role: 'user', content: 'hi' }] } }],
      ['/admin/v1/prompts/p-a/versions', { body: { messages: [{ role: 'user', content: 'hi' }], workspace: 'a' } }],
      ['/admin/v1/prompts/p-a/labels/production', { method: 'PUT', body: { version: 1 } }],
    ]
    for (const [path, init] of changes) {
      const res = await owner(path, init)
      expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300)
    }
    await json(dev('/admin/v1/portal/requests', { body: { model: 'everyone', key: 'key-a', reason: 'for a' } }), 201)
    type Audit = { items: { action: string; target: string | null }[]; total: number }
    const all = await json<Audit>(owner('/admin/v1/audit?limit=100'))
    const seenByOwner = all.items.map((e) => e.target)
    expect(seenByOwner).toEqual(
      expect.arrayContaining(['audit-b', 'route-b', 'only-b', 'c', 'keys.key-b', 'p-default']),
    )
    expect(all.items.some((e) => e.action.startsWith('team.') || e.action.startsWith('service'))).toBe(true)

    const mine = await json<Audit>(dev('/admin/v1/audit?limit=100'))
    expect(mine.items.map((e) => `${e.action} ${e.target}`).sort()).toEqual([
      'access.request keys.key-a',
      'key.create audit-a',
      'prompt.label p-a',
      'prompt.version p-a',
      'route.create route-a',
      'route.update everyone',
    ])
    expect(mine.total).toBe(6)
    expect((await json<Audit>(dev('/admin/v1/audit?q=audit-b'))).items).toEqual([])
    expect((await json<Audit>(dev('/admin/v1/audit?action=provider'))).items).toEqual([])
  })
})

describe('tenant isolation between workspaces', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-tenancy-'))
  let upstream: RunningMock
  let app: FastifyInstance
  let url: string
  let developer = ''
  let rowA: LogItem
  let rowB: LogItem

  type Init = { method?: string; body?: unknown; headers?: Record<string, string> }
  const call = (bearer: string, path: string, init: Init = {}) =>
    fetch(`${url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    })
  const owner = (path: string, init?: Init) => call(TEST_ADMIN_TOKEN, path, init)
  const dev = (path: string, init?: Init) => call(developer, path, init)
  const json = async <T>(res: Response | Promise<Response>): Promise<T> => {
    const r = await res
    expect(r.status, await r.clone().text()).toBe(200)
    return (await r.json()) as T
  }

  beforeAll(async () => {
    upstream = await startMockUpstream()
    const config = parseConfig(yaml(upstream.url), 'yaml', { ...ADMIN_ENV, KEY_A, KEY_B })
    app = buildGateway(config, { webRoot: false, dataDir: dir, configPath: join(dir, 'config.yaml') })
    url = await app.listen({ host: '127.0.0.1', port: 0 })

    const made = await owner('/admin/v1/team/service-accounts', {
      method: 'POST',
      body: { name: 'ci of a', role: 'developer', workspaces: ['a'] },
    })
    expect(made.status, await made.clone().text()).toBe(201)
    developer = ((await made.json()) as { token: string }).token

    for (const [key, word, session] of [
      [KEY_A, WORD_A, SESSION_A],
      [KEY_B, WORD_B, SESSION_B],
    ]) {
      const client = new OpenAI({
        baseURL: `${url}/v1`,
        apiKey: key,
        maxRetries: 0,
        defaultHeaders: { 'x-switchyard-session': session },
      })
      await client.chat.completions.create({
        model: 'compat/mock-gpt',
        messages: [{ role: 'user', content: `say ${word}` }],
      })
    }
    app.requestLog.flush()
    const { items } = await json<{ items: LogItem[] }>(owner('/admin/v1/logs?limit=10'))
    rowA = items.find((r) => r.workspace === 'a')!
    rowB = items.find((r) => r.workspace === 'b')!
    expect([rowA?.keyName, rowB?.keyName]).toEqual(['key-a', 'key-b'])
  })

  afterAll(async () => {
    await app?.close()
    await upstream?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('lists only the member’s workspaces’ calls, even when the query names the other workspace', async () => {
    const mine = await json<{ items: LogItem[]; total: number }>(dev('/admin/v1/logs?limit=10'))
    expect(mine.items.map((r) => r.id)).toEqual([rowA.id])
    const asked = await json<{ items: LogItem[] }>(dev('/admin/v1/logs?limit=10&workspace=b'))
    expect(asked.items).toEqual([])
    const mcpOnly = await json<{ items: LogItem[] }>(dev('/admin/v1/logs?limit=10&kind=model'))
    expect(mcpOnly.items.map((r) => r.workspace)).toEqual(['a'])
    const all = await json<{ items: LogItem[] }>(owner('/admin/v1/logs?limit=10'))
    expect(all.items.map((r) => r.workspace).sort()).toEqual(['a', 'b'])
  })

  it('answers another workspace’s log row as not found, not forbidden', async () => {
    const other = await dev(`/admin/v1/logs/${rowB.id}`)
    expect(other.status).toBe(404)
    expect(await other.text()).not.toContain(WORD_B)
    expect((await json<LogItem>(dev(`/admin/v1/logs/${rowA.id}`))).id).toBe(rowA.id)
    expect((await json<LogItem>(owner(`/admin/v1/logs/${rowB.id}`))).id).toBe(rowB.id)
  })

  it('finds nothing of the other workspace by searching its text', async () => {
    const theirs = await json<{ items: LogItem[] }>(dev(`/admin/v1/logs?q=${WORD_B}`))
    expect(theirs.items).toEqual([])
    const mine = await json<{ items: LogItem[] }>(dev(`/admin/v1/logs?q=${WORD_A}`))
    expect(mine.items.map((r) => r.id)).toEqual([rowA.id])
    const owners = await json<{ items: LogItem[] }>(owner(`/admin/v1/logs?q=${WORD_B}`))
    expect(owners.items.map((r) => r.id)).toEqual([rowB.id])
  })

  it('exports only the member’s workspaces’ calls', async () => {
    const mine = await (await dev('/admin/v1/logs/export?format=jsonl')).text()
    expect(mine).toContain(rowA.requestId)
    expect(mine).not.toContain(rowB.requestId)
    expect(mine).not.toContain('key-b')
    const all = await (await owner('/admin/v1/logs/export?format=jsonl')).text()
    expect(all).toContain(rowB.requestId)
  })

  it('counts only the member’s workspaces in stats, the Overview and spend', async () => {
    type Totals = { totals: { requests: number; costUsd: number } }
    for (const bucket of ['5m', 'hour', 'day']) {
      expect((await json<Totals>(dev(`/admin/v1/stats?bucket=${bucket}`))).totals.requests).toBe(1)
      expect((await json<Totals>(owner(`/admin/v1/stats?bucket=${bucket}`))).totals.requests).toBe(2)
    }
    const byKey = await json<{ groups: { group: string }[] }>(dev('/admin/v1/stats?bucket=hour&groupBy=key'))
    expect(byKey.groups.map((g) => g.group)).toEqual(['key-a'])
    const overview = await json<{ overall: Totals; spend: { workspace: { group: string }[] } }>(
      dev('/admin/v1/stats/overview?bucket=hour'),
    )
    expect(overview.overall.totals.requests).toBe(1)
    expect(overview.spend.workspace.map((g) => g.group)).toEqual(['a'])
    const spend = await json<{ groups: { group: string }[] }>(dev('/admin/v1/stats/spend?by=workspace'))
    expect(spend.groups.map((g) => g.group)).toEqual(['a'])
    const ownerSpend = await json<{ groups: { group: string }[] }>(owner('/admin/v1/stats/spend?by=workspace'))
    expect(ownerSpend.groups.map((g) => g.group).sort()).toEqual(['a', 'b'])
  })

  it('shows only the member’s workspaces’ sessions', async () => {
    const mine = await json<{ items: { id: string }[] }>(dev('/admin/v1/sessions'))
    expect(mine.items.map((s) => s.id)).toEqual([SESSION_A])
    expect((await dev(`/admin/v1/sessions/${SESSION_B}`)).status).toBe(404)
    const calls = await json<{ calls: LogItem[] }>(dev(`/admin/v1/sessions/${SESSION_A}`))
    expect(calls.calls.map((c) => c.id)).toEqual([rowA.id])
    const all = await json<{ items: { id: string }[] }>(owner('/admin/v1/sessions'))
    expect(all.items.map((s) => s.id).sort()).toEqual([SESSION_A, SESSION_B])
  })

  it('replays none of the other workspace’s calls', async () => {
    const replay = await dev('/admin/v1/compare/replay', {
      method: 'POST',
      body: { filter: { q: WORD_B }, models: ['compat/mock-gpt'] },
    })
    expect(replay.status).toBe(400)
    expect(await replay.text()).toContain('no logged request matches')
  })

  it('lists only the member’s workspaces', async () => {
    const mine = await json<{ items: { id: string }[] }>(dev('/admin/v1/workspaces'))
    expect(mine.items.map((w) => w.id)).toEqual(['a'])
    const all = await json<{ items: { id: string }[] }>(owner('/admin/v1/workspaces'))
    expect(all.items.map((w) => w.id).sort()).toEqual(['a', 'b', 'default'])
  })

  it('lists and changes only the member’s workspaces’ keys', async () => {
    const mine = await json<{ items: { name: string }[] }>(dev('/admin/v1/keys'))
    expect(mine.items.map((k) => k.name)).toEqual(['key-a'])
    const all = await json<{ items: { name: string }[] }>(owner('/admin/v1/keys'))
    expect(all.items.map((k) => k.name).sort()).toEqual(['key-a', 'key-b'])

    const intoB = await dev('/admin/v1/keys', { method: 'POST', body: { name: 'sneaky', workspace: 'b' } })
    expect(intoB.status).toBe(403)
    // Absent is the workspace the member works in (their only one), never `default`, which is not theirs.
    const unnamed = await dev('/admin/v1/keys', { method: 'POST', body: { name: 'unnamed' } })
    expect(unnamed.status, await unnamed.clone().text()).toBe(201)
    expect(((await unnamed.json()) as { workspace?: string }).workspace).toBe('a')
    expect((await dev('/admin/v1/keys/unnamed', { method: 'DELETE' })).status).toBe(204)
    const viaHeader = await dev('/admin/v1/keys', {
      method: 'POST',
      body: { name: 'sneaky' },
      headers: { 'x-switchyard-workspace': 'b' },
    })
    expect(viaHeader.status).toBe(403)
    expect((await dev('/admin/v1/keys/key-b', { method: 'PUT', body: { limits: { rpm: 1 } } })).status).toBe(404)
    expect((await dev('/admin/v1/keys/key-b/rotate', { method: 'POST' })).status).toBe(404)
    expect((await dev('/admin/v1/keys/key-b', { method: 'DELETE' })).status).toBe(404)
    // Moving one's own key into a workspace one is not in is refused too.
    expect((await dev('/admin/v1/keys/key-a', { method: 'PUT', body: { workspace: 'b' } })).status).toBe(403)

    const created = await dev('/admin/v1/keys', { method: 'POST', body: { name: 'a-ci', workspace: 'a' } })
    expect(created.status, await created.clone().text()).toBe(201)
    expect((await dev('/admin/v1/keys/a-ci', { method: 'DELETE' })).status).toBe(204)
    expect(
      (await json<{ items: { name: string }[] }>(owner('/admin/v1/keys'))).items.map((k) => k.name).sort(),
    ).toEqual(['key-a', 'key-b'])
  })

  describe('prompts, feedback and comparison runs', () => {
    const PROMPT = { model: 'compat/mock-gpt', messages: [{ role: 'user', content: 'hello {{who}}' }] }
    type Run = { id: number; status: string; workspace: string; cells?: { requestId: string | null }[] }
    let runA: Run
    let runB: Run

    /** Waits for a stored run to finish and answers it with its cells. */
    const finished = async (id: number): Promise<Run> => {
      for (;;) {
        const run = await json<Run>(owner(`/admin/v1/compare/runs/${id}`))
        if (run.status !== 'running') return run
        await new Promise((r) => setTimeout(r, 25))
      }
    }
    const runIn = async (as: typeof owner, body: object): Promise<Run> => {
      const res = await as('/admin/v1/compare/runs', {
        method: 'POST',
        body: { messages: [{ role: 'user', content: 'compare me' }], models: ['compat/mock-gpt'], ...body },
      })
      expect(res.status, await res.clone().text()).toBe(202)
      return (await res.json()) as Run
    }
    const promptRun = (key: string, name: string) =>
      fetch(`${url}/v1/prompts/${name}/run`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ variables: { who: 'you' } }),
      })

    beforeAll(async () => {
      // The body names the workspace for one, the header for the other (decision 1).
      const a = await owner('/admin/v1/prompts/pa/versions', { method: 'POST', body: { ...PROMPT, workspace: 'a' } })
      expect(a.status, await a.clone().text()).toBe(201)
      const b = await owner('/admin/v1/prompts/pb/versions', {
        method: 'POST',
        body: PROMPT,
        headers: { 'x-switchyard-workspace': 'b' },
      })
      expect(b.status, await b.clone().text()).toBe(201)
      expect((await owner('/admin/v1/prompts/pb/labels/prod', { method: 'PUT', body: { version: 1 } })).status).toBe(
        200,
      )
      runA = await finished((await runIn(dev, {})).id)
      runB = await finished((await runIn(owner, { workspace: 'b' })).id)
      expect([runA.workspace, runB.workspace]).toEqual(['a', 'b'])
    })

    it('lists and searches only the member’s workspaces’ prompts; the owner sees both, with their workspace', async () => {
      type List = { items: { name: string; workspace: string }[]; total: number }
      const mine = await json<List>(dev('/admin/v1/prompts'))
      expect(mine.items.map((p) => [p.name, p.workspace])).toEqual([['pa', 'a']])
      expect(mine.total).toBe(1)
      expect((await json<List>(dev('/admin/v1/prompts?q=pb'))).items).toEqual([])
      expect((await json<List>(dev('/admin/v1/prompts?workspace=b'))).items).toEqual([])
      expect((await json<List>(dev('/admin/v1/prompts?label=prod'))).items).toEqual([])
      const all = await json<List>(owner('/admin/v1/prompts'))
      expect(all.items.map((p) => [p.name, p.workspace]).sort()).toEqual([
        ['pa', 'a'],
        ['pb', 'b'],
      ])
      expect((await json<List>(owner('/admin/v1/prompts?workspace=b'))).items.map((p) => p.name)).toEqual(['pb'])
    })

    it('answers every read of another workspace’s prompt, version and label as not found', async () => {
      for (const path of [
        '/admin/v1/prompts/pb',
        '/admin/v1/prompts/pb/versions',
        '/admin/v1/prompts/pb/versions/1',
        '/admin/v1/prompts/pb/diff?from=1&to=1',
        '/admin/v1/prompts/pb/label-history',
        '/admin/v1/prompts/pb/stats',
      ]) {
        const res = await dev(path)
        expect([path, res.status]).toEqual([path, 404])
        expect(await res.text()).not.toContain('hello')
        expect([path, (await owner(path)).status]).toEqual([path, 200])
      }
      const render = await dev('/admin/v1/prompts/pb/render', { method: 'POST', body: { variables: { who: 'x' } } })
      expect(render.status).toBe(404)
      expect((await dev('/admin/v1/prompts/pa')).status).toBe(200)
    })

    it('changes none of another workspace’s prompts, and creates only in the member’s own', async () => {
      const changes: [string, Init][] = [
        ['/admin/v1/prompts/pb/versions', { method: 'POST', body: { ...PROMPT, note: 'mine now' } }],
        ['/admin/v1/prompts/pb/labels/prod', { method: 'PUT', body: { version: 1 } }],
        ['/admin/v1/prompts/pb/labels/prod', { method: 'DELETE' }],
        ['/admin/v1/prompts/pb', { method: 'DELETE' }],
      ]
      for (const [path, init] of changes)
        expect([init.method, path, (await dev(path, init)).status]).toEqual([init.method, path, 404])
      const pb = await json<{ latestVersion: number; labels: unknown[] }>(owner('/admin/v1/prompts/pb'))
      expect([pb.latestVersion, pb.labels.length]).toEqual([1, 1])

      // A new prompt goes into the member's workspace; naming another's is refused, by body or header.
      const intoB = await dev('/admin/v1/prompts/sneaky/versions', {
        method: 'POST',
        body: { ...PROMPT, workspace: 'b' },
      })
      expect(intoB.status).toBe(403)
      const byHeader = await dev('/admin/v1/prompts/sneaky/versions', {
        method: 'POST',
        body: PROMPT,
        headers: { 'x-switchyard-workspace': 'b' },
      })
      expect(byHeader.status).toBe(403)
      const made = await dev('/admin/v1/prompts/a-made/versions', { method: 'POST', body: PROMPT })
      expect(made.status).toBe(201)
      expect((await json<{ workspace: string }>(owner('/admin/v1/prompts/a-made'))).workspace).toBe('a')
      expect((await dev('/admin/v1/prompts/a-made', { method: 'DELETE' })).status).toBe(204)
    })

    it('runs a prompt endpoint only with a key of the prompt’s workspace', async () => {
      const theirs = await promptRun(KEY_A, 'pb')
      expect(theirs.status).toBe(404)
      const err = (await theirs.json()) as { error: { code: string; message: string } }
      expect(err.error.code).toBe('prompt_not_found')
      expect((await promptRun(KEY_B, 'pb')).status).toBe(200)
      expect((await promptRun(KEY_A, 'pa')).status).toBe(200)
      expect((await promptRun(KEY_B, 'pa')).status).toBe(404)
      // A comparison of another workspace's prompt does not find it either.
      const compared = await dev('/admin/v1/compare/runs', {
        method: 'POST',
        body: { prompts: [{ name: 'pb' }], models: ['compat/mock-gpt'], dataset: { rows: [{ who: 'x' }] } },
      })
      expect(compared.status).toBe(404)
      // Nor may one who sees both put B's prompt into a run of A, whose members would read its rendered inputs.
      const mixed = await owner('/admin/v1/compare/runs', {
        method: 'POST',
        body: {
          prompts: [{ name: 'pb' }],
          models: ['compat/mock-gpt'],
          dataset: { rows: [{ who: 'x' }] },
          workspace: 'a',
        },
      })
      expect(mixed.status).toBe(400)
      expect(((await mixed.json()) as { error: { code: string } }).error.code).toBe('prompt_workspace_mismatch')
    })

    it('exports each prompt with its workspace, and refuses to import one into a workspace the config lacks', async () => {
      const exported = await (await owner('/admin/v1/config/export?format=yaml&include=prompts')).text()
      expect(exported).toMatch(/pb:[\s\S]*workspace: b/)
      const text = `${yaml(upstream.url)}\nprompts:\n  lost:\n    messages: [{ role: user, content: hi }]\n    workspace: nowhere\n`
      const res = await json<{ valid: boolean; errors: { path: string; message: string }[] }>(
        owner('/admin/v1/config/import', { method: 'POST', body: { text } }),
      )
      expect(res.valid).toBe(false)
      expect(res.errors).toContainEqual({
        path: '/prompts/lost/workspace',
        message: expect.stringContaining("no workspace 'nowhere'"),
      })
    })

    it('lists, reads, changes and exports only the member’s workspaces’ comparison runs', async () => {
      type List = { items: { id: number; workspace: string }[]; total: number }
      const mine = await json<List>(dev('/admin/v1/compare/runs'))
      expect(mine.items.map((r) => r.id)).toEqual([runA.id])
      expect((await json<List>(dev('/admin/v1/compare/runs?workspace=b'))).items).toEqual([])
      const all = await json<List>(owner('/admin/v1/compare/runs'))
      expect(all.items.map((r) => [r.id, r.workspace])).toEqual([
        [runB.id, 'b'],
        [runA.id, 'a'],
      ])
      const b = runB.id
      const denied: [string, Init][] = [
        [`/admin/v1/compare/runs/${b}`, {}],
        [`/admin/v1/compare/runs/${b}/export?format=json`, {}],
        [`/admin/v1/compare/runs/${b}/export?format=csv`, {}],
        [`/admin/v1/compare/runs/${b}/diff?against=${runA.id}`, {}],
        [`/admin/v1/compare/runs/${runA.id}/diff?against=${b}`, {}],
        [`/admin/v1/compare/runs/${b}/cancel`, { method: 'POST' }],
        [`/admin/v1/compare/runs/${b}/rerun`, { method: 'POST', body: {} }],
        [`/admin/v1/compare/runs/${b}`, { method: 'DELETE' }],
      ]
      for (const [path, init] of denied) {
        const res = await dev(path, init)
        expect([init.method ?? 'GET', path, res.status]).toEqual([init.method ?? 'GET', path, 404])
        expect(await res.text()).not.toContain('compare me')
      }
      expect((await owner(`/admin/v1/compare/runs/${b}`)).status).toBe(200)
      expect((await dev(`/admin/v1/compare/runs/${runA.id}/export?format=json`)).status).toBe(200)
    })

    it('replays into a workspace’s run only that workspace’s calls, whoever replays them', async () => {
      // The owner sees B's call, but a run in A would show its body to every member of A.
      const intoA = await owner('/admin/v1/compare/replay', {
        method: 'POST',
        body: { filter: { q: WORD_B }, models: ['compat/mock-gpt'], workspace: 'a' },
      })
      expect(intoA.status).toBe(400)
      expect(await intoA.text()).toContain('no logged request matches')
      const intoB = await owner('/admin/v1/compare/replay', {
        method: 'POST',
        body: { filter: { q: WORD_B }, models: ['compat/mock-gpt'], workspace: 'b' },
      })
      expect(intoB.status, await intoB.clone().text()).toBe(202)
      await finished(((await intoB.json()) as Run).id)
    })

    it('rates only calls of the member’s workspaces', async () => {
      const cellB = runB.cells?.[0]?.requestId
      const cellA = runA.cells?.[0]?.requestId
      expect(cellB && cellA).toBeTruthy()
      for (const requestId of [rowB.requestId, cellB, 'never-logged']) {
        const res = await dev('/admin/v1/feedback', { method: 'POST', body: { requestId, rating: 'down' } })
        expect([requestId, res.status]).toEqual([requestId, 404])
      }
      for (const requestId of [rowA.requestId, cellA]) {
        const res = await dev('/admin/v1/feedback', { method: 'POST', body: { requestId, rating: 'up' } })
        expect([requestId, res.status]).toEqual([requestId, 200])
      }
      // The owner's rating of B's cell stands, untouched by the member's attempt.
      await json(owner('/admin/v1/feedback', { method: 'POST', body: { requestId: cellB, rating: 'up' } }))
      const run = await json<{ cells: { rating: string | null }[] }>(owner(`/admin/v1/compare/runs/${runB.id}`))
      expect(run.cells[0].rating).toBe('up')
    })
  })
})
