import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Anthropic from '@anthropic-ai/sdk'
import type { FastifyInstance } from 'fastify'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import type { LogItem, SpendResult } from '../../src-shared/contract/index.js'
import { ADMIN_ENV, fetchAsAdmin } from '../helpers/gateway.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'
import { ADMIN_BEARER, CSRF, setUpOwner, startTeamGateway, TEAM_YAML } from '../team/team-helpers.js'

// Spend per workspace and per person (issue 21): each log row's workspace (its key's) and person (the
// x-switchyard-user header, else the OpenAI/Responses `user` field, else Anthropic's metadata.user_id, whose
// Claude Code form names the account and never the session), through the real SDKs; the Logs filters; and the
// numbers GET /admin/v1/stats/spend and the Overview give per workspace and per person.

const RED = 'sk-sy-red-0123456789abcdefSECRET'
const BLUE = 'sk-sy-blue-9876543210zyxwvuSECRET'
const env = { SY_RED: RED, SY_BLUE: BLUE, ...ADMIN_ENV }
const ACCOUNT = '5e0d8c1a-7b2f-4c3d-9e8f-0a1b2c3d4e5f'
const SESSION = '32248e23-3993-4a36-89bf-56496451912a'

let mock: RunningMock
let app: FastifyInstance
let url: string
let dir: string

beforeAll(async () => {
  mock = await startMockUpstream()
  dir = mkdtempSync(join(tmpdir(), 'switchyard-spend-'))
  const yaml = `
workspaces:
  red: { name: Red }
  blue: { name: Blue }
providers:
  compat: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
  claude: { type: anthropic, baseUrl: "${mock.url}", apiKey: sk-ant-test }
pricing:
  compat/mock-gpt: { input: 1000, output: 2000 }
  claude/mock-gpt: { input: 1000, output: 2000 }
keys:
  - { name: red, key: "\${env:SY_RED}", workspace: red }
  - { name: blue, key: "\${env:SY_BLUE}", workspace: blue }
discovery: { enabled: false }
`
  app = buildGateway(parseConfig(yaml, 'yaml', env), { webRoot: false, dataDir: dir })
  url = await app.listen({ host: '127.0.0.1', port: 0 })
})
afterAll(async () => {
  await app?.close()
  await mock?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const openai = (key: string, headers: Record<string, string> = {}) =>
  new OpenAI({ baseURL: `${url}/v1`, apiKey: key, maxRetries: 0, defaultHeaders: headers })
const anthropic = (key: string, headers: Record<string, string> = {}) =>
  new Anthropic({ baseURL: url, apiKey: key, maxRetries: 0, defaultHeaders: headers })

/** The newest `n` log rows, once the writer has written that many. */
async function rows(n: number, query = ''): Promise<LogItem[]> {
  for (let i = 0; i < 100; i++) {
    const page = (await (await fetchAsAdmin(`${url}/admin/v1/logs?limit=100${query}`)).json()) as { items: LogItem[] }
    if (page.items.length >= n) return page.items
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`fewer than ${n} log rows`)
}

describe('person and workspace on each call', () => {
  it('takes the person from each source, the header first, and the workspace from the key', async () => {
    const msg = [{ role: 'user' as const, content: 'hi' }]
    // 1. OpenAI `user`.
    await openai(RED).chat.completions.create({ model: 'compat/mock-gpt', messages: msg, user: 'alice' })
    // 2. The header wins over `user`.
    await openai(RED, { 'x-switchyard-user': 'bob' }).chat.completions.create({
      model: 'compat/mock-gpt',
      messages: msg,
      user: 'alice',
    })
    // 3. The Responses API's `user`.
    await openai(BLUE).responses.create({ model: 'compat/mock-gpt', input: 'hi', user: 'carol' })
    // 4. Claude Code's composite metadata.user_id: the account, not the session.
    await anthropic(BLUE).messages.create({
      model: 'claude/mock-gpt',
      max_tokens: 20,
      messages: msg,
      metadata: { user_id: JSON.stringify({ device_id: 'be92aa', account_uuid: ACCOUNT, session_id: SESSION }) },
    })
    // 5. A plain Anthropic user id, and the header over it.
    await anthropic(BLUE).messages.create({
      model: 'claude/mock-gpt',
      max_tokens: 20,
      messages: msg,
      metadata: { user_id: 'dave' },
    })
    await anthropic(BLUE, { 'x-switchyard-user': 'erin' }).messages.create({
      model: 'claude/mock-gpt',
      max_tokens: 20,
      messages: msg,
      metadata: { user_id: 'dave' },
    })
    // 6. A label that is too long or holds a control character is not a person: the next source is used.
    await openai(RED, { 'x-switchyard-user': 'x'.repeat(129) }).chat.completions.create({
      model: 'compat/mock-gpt',
      messages: msg,
      user: 'frank',
    })
    await openai(RED).chat.completions.create({ model: 'compat/mock-gpt', messages: msg, user: 'evil\u001b[2Jname' })

    const items = (await rows(8)).slice(0, 8).reverse()
    expect(items.map((r) => [r.workspace, r.person])).toEqual([
      ['red', 'alice'],
      ['red', 'bob'],
      ['blue', 'carol'],
      ['blue', ACCOUNT],
      ['blue', 'dave'],
      ['blue', 'erin'],
      ['red', 'frank'],
      ['red', null],
    ])
    // The Logs filters.
    expect((await rows(1, '&person=erin')).map((r) => r.person)).toEqual(['erin'])
    const blue = await rows(4, '&workspace=blue')
    expect(blue.every((r) => r.workspace === 'blue')).toBe(true)
    expect(blue).toHaveLength(4)
  })

  it('leaves both empty for a call without a key or a person (the admin, as in solo mode)', async () => {
    const admin = new OpenAI({ baseURL: `${url}/v1`, apiKey: ADMIN_ENV.SWITCHYARD_ADMIN_TOKEN, maxRetries: 0 })
    await admin.chat.completions.create({ model: 'compat/mock-gpt', messages: [{ role: 'user', content: 'hi' }] })
    const [row] = await rows(9)
    expect(row.keyName).toBeNull()
    expect([row.workspace, row.person]).toEqual([null, null])
  })
})

describe('calls made from the UI in team mode', () => {
  it("are the signed-in member's, unless the call names someone; the admin token's name no one", async () => {
    const gw = await startTeamGateway({
      yaml: `${TEAM_YAML}providers:\n  compat: { type: openai-compatible, baseUrl: "${mock.url}/v1" }\n`,
    })
    try {
      const cookie = await setUpOwner(gw)
      const chat = (headers: Record<string, string>, extra: object = {}) =>
        gw.call('/v1/chat/completions', {
          body: { model: 'compat/mock-gpt', messages: [{ role: 'user', content: 'hi' }], ...extra },
          headers,
        })
      expect((await chat({ cookie, ...CSRF })).status).toBe(200)
      expect((await chat({ cookie, ...CSRF }, { user: 'someone-else' })).status).toBe(200)
      expect((await chat(ADMIN_BEARER)).status).toBe(200)
      let items: LogItem[] = []
      for (let i = 0; i < 100 && items.length < 3; i++) {
        await new Promise((r) => setTimeout(r, 50))
        items = ((await (await gw.call('/admin/v1/logs', { headers: ADMIN_BEARER })).json()) as { items: LogItem[] })
          .items
      }
      expect(items.map((r) => r.person).reverse()).toEqual(['Olga Owner', 'someone-else', null])
    } finally {
      await gw.close()
    }
  })
})

describe('spend per workspace and per person', () => {
  it('sums cost, calls and tokens per group, the same from the spend report and the Overview', async () => {
    const all = await rows(9)
    const from = new Date(Date.now() - 3_600_000).toISOString()
    const to = new Date(Date.now() + 60_000).toISOString()
    const expected = (pick: (r: LogItem) => string | null) => {
      const out = new Map<
        string | null,
        { requests: number; costUsd: number; inputTokens: number; outputTokens: number }
      >()
      for (const r of all) {
        const g = out.get(pick(r)) ?? { requests: 0, costUsd: 0, inputTokens: 0, outputTokens: 0 }
        g.requests++
        g.costUsd += r.costUsd ?? 0
        g.inputTokens += r.inputTokens ?? 0
        g.outputTokens += r.outputTokens ?? 0
        out.set(pick(r), g)
      }
      return out
    }
    for (const by of ['workspace', 'person'] as const) {
      const res = await fetchAsAdmin(`${url}/admin/v1/stats/spend?by=${by}&from=${from}&to=${to}`)
      expect(res.status).toBe(200)
      const spend = (await res.json()) as SpendResult
      const want = expected((r) => r[by])
      expect(spend.groups).toHaveLength(want.size)
      for (const g of spend.groups) {
        const w = want.get(g.group)!
        expect(g.requests, `${by} ${g.group}`).toBe(w.requests)
        expect(g.inputTokens).toBe(w.inputTokens)
        expect(g.outputTokens).toBe(w.outputTokens)
        expect(g.costUsd).toBeCloseTo(w.costUsd, 9)
      }
      // Dearest first.
      const costs = spend.groups.map((g) => g.costUsd)
      expect(costs).toEqual([...costs].sort((a, b) => b - a))
    }
    const red = expected((r) => r.workspace).get('red')!
    expect(red.requests).toBe(4)
    expect(red.costUsd).toBeGreaterThan(0)

    const overview = (await (
      await fetchAsAdmin(`${url}/admin/v1/stats/overview?bucket=hour&from=${from}&to=${to}`)
    ).json()) as { spend: { workspace: SpendResult['groups']; person: SpendResult['groups'] } }
    const spendWs = (await (
      await fetchAsAdmin(`${url}/admin/v1/stats/spend?by=workspace&from=${from}&to=${to}`)
    ).json()) as SpendResult
    expect(overview.spend.workspace).toEqual(spendWs.groups)
    expect(overview.spend.person.find((g) => g.group === ACCOUNT)?.requests).toBe(1)
  })

  it('refuses an unknown grouping', async () => {
    expect((await fetchAsAdmin(`${url}/admin/v1/stats/spend?by=model`)).status).toBe(400)
  })
})
