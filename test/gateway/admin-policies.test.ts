import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { adminHeadersOf } from '../helpers/gateway.js'
import { type RecordedRequest, sendJson, startScriptedUpstream } from '../helpers/upstreams.js'

// Keys & Policies → Redaction and Cache through the admin API: a section saved with PUT changes the very
// next SDK call (no restart), bad input is refused at its field, the test box runs the real redactor, and
// every change lands in the audit trail and the config file.

type Json = Record<string, any>
type Upstream = Awaited<ReturnType<typeof startScriptedUpstream>>

const EMAIL = 'jane.doe@example.com'
const CARD = '4111 1111 1111 1111'
const TICKET = { name: 'ticket', pattern: 'TCK-\\d{4}' }

let upstream: Upstream
let app: FastifyInstance
let url: string
const dir = mkdtempSync(join(tmpdir(), 'switchyard-policies-'))

const chats = () => upstream.requests.filter((r) => r.path === '/v1/chat/completions')
/** The user message as the upstream received it. */
const sentText = (r: RecordedRequest) => (r.body as { messages: { content: string }[] }).messages.at(-1)!.content

function answer(_req: RecordedRequest, res: ServerResponse) {
  sendJson(res, 200, {
    id: 'r1',
    object: 'chat.completion',
    created: 1,
    model: 'echo',
    choices: [
      { index: 0, message: { role: 'assistant', content: `answer #${chats().length}` }, finish_reason: 'stop' },
    ],
    usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
  })
}

const openai = () => new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0 })
const ask = (content: string) =>
  openai()
    .chat.completions.create({ model: 'up/echo', messages: [{ role: 'user', content }] })
    .withResponse()

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${url}/admin/v1${path}`, {
    method,
    headers: {
      ...adminHeadersOf(app),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, json: text ? JSON.parse(text) : null }
}
const audit = async (query: string) => (await admin('GET', `/audit${query}`)).json

beforeAll(async () => {
  upstream = await startScriptedUpstream({ 'POST /v1/chat/completions': answer })
  const yaml = `
providers:
  up: { type: openai-compatible, baseUrl: "${upstream.url}/v1", models: [echo] }
routes:
  support:
    targets: [{ model: up/echo }]
    redaction: { mode: reversible, detect: [email] }
`
  app = buildGateway(parseConfig(yaml, 'yaml'), { webRoot: false, dataDir: dir })
  url = await app.listen({ host: '127.0.0.1', port: 0 })
})

afterAll(async () => {
  await app?.close()
  await upstream?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('redaction section', () => {
  it('shows no section yet, and the route that overrides it', async () => {
    const { status, json } = await admin('GET', '/policies/redaction')
    expect(status).toBe(200)
    expect(json).toEqual({
      section: 'redaction',
      config: null,
      defaults: { mode: 'off', detect: ['email', 'phone', 'credit_card', 'iban', 'ip', 'api_key'] },
      overrides: [{ scope: 'route', name: 'support', override: { mode: 'reversible', detect: ['email'] } }],
    })
  })

  it('applies a saved section to the next call, without a restart, and saves and audits it', async () => {
    const message = `Mail ${EMAIL}, card ${CARD}, ticket TCK-1234.`
    await ask(message)
    expect(sentText(chats().at(-1)!)).toBe(message)

    const section = { mode: 'mask', detect: ['email'], custom: [TICKET] }
    const saved = await admin('PUT', '/policies/redaction', section)
    expect(saved.status).toBe(200)
    expect(saved.json).toMatchObject({ section: 'redaction', config: section })

    await ask(message)
    // The card is not among the detected types any more; the custom pattern is.
    expect(sentText(chats().at(-1)!)).toBe(`Mail [EMAIL], card ${CARD}, ticket [TICKET].`)

    expect(readFileSync(join(dir, 'config.yaml'), 'utf8')).toMatch(/redaction:\s*\n\s+mode: mask/)
    const { items, total } = await audit('?action=policy.update&target=redaction')
    expect(total).toBe(1)
    expect(items[0]).toMatchObject({ action: 'policy.update', target: 'redaction', actor: 'admin-token' })
    expect(items[0].diff).toEqual([{ path: 'redaction', after: section }])
  })

  it('refuses a pattern that does not compile, at its field, and changes nothing', async () => {
    const before = (await admin('GET', '/policies/redaction')).json
    const bad = await admin('PUT', '/policies/redaction', {
      mode: 'mask',
      custom: [TICKET, { name: 'broken', pattern: '([a-z' }],
    })
    expect(bad.status).toBe(400)
    expect(bad.json.error).toMatchObject({ type: 'invalid_request_error', param: 'custom.1.pattern' })
    expect(bad.json.error.message).toMatch(/custom\.1\.pattern: is not a valid regular expression/)

    const unknownType = await admin('PUT', '/policies/redaction', { mode: 'mask', detect: ['passport'] })
    expect(unknownType.status).toBe(400)
    expect(unknownType.json.error.param).toBe('detect.0')

    expect((await admin('GET', '/policies/redaction')).json).toEqual(before)
    expect((await audit('?action=policy.update&target=redaction')).total).toBe(1)
  })

  it('the test box reports the spans of an email, a card and a custom pattern', async () => {
    const text = `Write to ${EMAIL} about card ${CARD} (TCK-0042).`
    const { status, json } = await admin('POST', '/redaction/test', {
      text,
      config: { mode: 'reversible', custom: [TICKET] },
    })
    expect(status).toBe(200)
    expect(json.redacted).toBe('Write to [EMAIL_1] about card [CREDIT_CARD_1] ([TICKET_1]).')
    const at = (value: string) => ({ start: text.indexOf(value), end: text.indexOf(value) + value.length })
    expect(json.entities).toEqual([
      { type: 'email', ...at(EMAIL) },
      { type: 'credit_card', ...at(CARD) },
      { type: 'ticket', ...at('TCK-0042') },
    ])

    // Without a config: the gateway's saved section (emails and tickets, masked).
    const saved = await admin('POST', '/redaction/test', { text })
    expect(saved.json.redacted).toBe(`Write to [EMAIL] about card ${CARD} ([TICKET]).`)

    const bad = await admin('POST', '/redaction/test', {
      text,
      config: { mode: 'mask', custom: [{ name: 'x', pattern: 'a*' }] },
    })
    expect(bad.status).toBe(400)
    expect(bad.json.error).toMatchObject({ param: 'config.custom.0.pattern', message: /matches the empty string/ })
    // A test changes nothing, so it is not audited.
    expect((await audit('?action=policy')).total).toBe(1)
  })
})

describe('cache section', () => {
  it('turns the cache on for the next calls, and audits it', async () => {
    const first = await ask('What is the capital of France?')
    expect(first.response.headers.get('x-switchyard-cache')).toBeNull()
    const calls = chats().length

    const saved = await admin('PUT', '/policies/cache', { mode: 'exact', ttlSeconds: 120, maxEntries: 50 })
    expect(saved.status).toBe(200)
    expect(saved.json).toEqual({
      section: 'cache',
      config: { mode: 'exact', ttlSeconds: 120, maxEntries: 50 },
      defaults: { mode: 'off', ttlSeconds: 3600, maxEntries: 10_000, maxMb: 256, threshold: 0.95 },
      overrides: [],
    })
    const miss = await ask('What is the capital of France?')
    const hit = await ask('What is the capital of France?')
    expect(miss.response.headers.get('x-switchyard-cache')).toBe('miss')
    expect(hit.response.headers.get('x-switchyard-cache')).toBe('hit')
    expect(hit.data.choices[0].message.content).toBe(miss.data.choices[0].message.content)
    expect(chats().length).toBe(calls + 1)
    expect((await admin('GET', '/cache')).json).toMatchObject({ mode: 'exact', ttlSeconds: 120, maxEntries: 50 })

    const { items } = await audit('?action=policy.update&target=cache')
    expect(items).toHaveLength(1)
    expect(items[0].diff).toEqual([{ path: 'cache', after: { mode: 'exact', ttlSeconds: 120, maxEntries: 50 } }])
  })

  it('refuses semantic mode without an embedding model, and an unknown section', async () => {
    const semantic = await admin('PUT', '/policies/cache', { mode: 'semantic' })
    expect(semantic.status).toBe(400)
    expect(semantic.json.error).toMatchObject({ param: 'semantic', message: /embedding model/ })
    const threshold = await admin('PUT', '/policies/cache', {
      mode: 'semantic',
      semantic: { embeddingModel: 'up/emb', threshold: 2 },
    })
    expect(threshold.json.error.param).toBe('semantic.threshold')
    expect((await admin('PUT', '/policies/cache', [])).status).toBe(400)

    const unknown = await admin('PUT', '/policies/guardrails', { input: [] })
    expect(unknown.status).toBe(404)
    expect(unknown.json.error.message).toMatch(/known: redaction, cache/)
    expect((await admin('GET', '/policies/cache')).json.config).toEqual({
      mode: 'exact',
      ttlSeconds: 120,
      maxEntries: 50,
    })
    expect((await audit('?action=policy')).total).toBe(2)
  })
})

describe('budgets tab data', () => {
  const KEY = 'sk-sy-budgets-0123456789abcdef'
  let budgets: FastifyInstance
  let budgetsUrl: string
  const budgetsDir = mkdtempSync(join(tmpdir(), 'switchyard-budgets-'))

  beforeAll(async () => {
    // 2 completion tokens at $500 000 per million: $1 a call against a $2 monthly budget. A low hourly
    // floor lets the first dollar raise a cost anomaly too, so the kind filter has something to leave out.
    const yaml = `
providers:
  up: { type: openai-compatible, baseUrl: "${upstream.url}/v1", models: [echo] }
pricing:
  up/echo: { input: 0, output: 500000 }
alerts: { minHourlyUsd: 0.5 }
keys:
  - { name: ci, key: "\${env:SY_KEY}", budget: { usd: 2, period: month } }
`
    budgets = buildGateway(parseConfig(yaml, 'yaml', { SY_KEY: KEY }), { webRoot: false, dataDir: budgetsDir })
    budgetsUrl = await budgets.listen({ host: '127.0.0.1', port: 0 })
  })
  afterAll(async () => {
    await budgets?.close()
    rmSync(budgetsDir, { recursive: true, force: true })
  })

  it('lists each budget with its period, and only budget alerts when asked', async () => {
    const client = new OpenAI({ baseURL: `${budgetsUrl}/v1`, apiKey: KEY, maxRetries: 0 })
    for (let i = 0; i < 2; i++) {
      await client.chat.completions.create({ model: 'up/echo', messages: [{ role: 'user', content: 'hi' }] })
      budgets.requestLog.flush()
    }
    const headers = { authorization: `Bearer ${budgets.adminToken}` }
    const get = async (path: string) => (await fetch(`${budgetsUrl}/admin/v1${path}`, { headers })).json()
    const now = new Date()
    const [ci] = (await get('/keys')).items
    expect(ci.budget).toMatchObject({
      spentUsd: 2,
      percentUsed: 100,
      alertLevel: 100,
      periodStart: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString(),
      periodEnd: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString(),
    })

    await expect.poll(async () => (await get('/alerts')).total).toBe(4)
    const only = await get('/alerts?kind=budget')
    expect(only.total).toBe(3)
    expect(only.items.map((a: Json) => [a.kind, a.details.thresholdPct])).toEqual([
      ['budget', 100],
      ['budget', 80],
      ['budget', 50],
    ])
    const anomalies = await get('/alerts?kind=cost_anomaly&status=open')
    expect(anomalies.items.map((a: Json) => a.kind)).toEqual(['cost_anomaly'])
    expect((await fetch(`${budgetsUrl}/admin/v1/alerts?kind=nope`, { headers })).status).toBe(400)
  })
})
