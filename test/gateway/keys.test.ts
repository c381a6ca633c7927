import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Anthropic from '@anthropic-ai/sdk'
import Database from 'better-sqlite3'
import type { FastifyInstance } from 'fastify'
import OpenAI from 'openai'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway, type GatewayDeps } from '../../src-gateway/server.js'
import { ADMIN_ENV, fetchAsAdmin } from '../helpers/gateway.js'
import { type RunningMock, startMockUpstream, startScriptedUpstream } from '../helpers/upstreams.js'

// Virtual keys end to end through the real SDKs: authentication, model allow-lists, rate limits,
// budgets, data residency, and the key never reaching the database in plain text.

const KEY = 'sk-sy-ci-0123456789abcdefSECRET'
const OTHER = 'sk-sy-other-9876543210zyxwvuSECRET'
const env = { SY_KEY_CI: KEY, SY_KEY_OTHER: OTHER, ...ADMIN_ENV }

let mock: RunningMock
const apps: FastifyInstance[] = []
const dirs: string[] = []

beforeAll(async () => {
  mock = await startMockUpstream()
})
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()))
})
afterAll(async () => {
  await mock?.stop()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'switchyard-keys-'))
  dirs.push(d)
  return d
}

const providers = () => `
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1", tags: [cloud] }
  claude: { type: anthropic, baseUrl: "${mock.url}", tags: [cloud] }
  cheap: { type: openai-compatible, baseUrl: "${mock.url}/v1", tags: [local] }
`

async function start(keys: string, deps: GatewayDeps = {}, extra = '') {
  const app = buildGateway(parseConfig(`${providers()}${extra}\nkeys:\n${keys}`, 'yaml', env), {
    webRoot: false,
    ...deps,
  })
  apps.push(app)
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, url }
}

const openai = (url: string, apiKey = KEY) => new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0 })
const anthropic = (url: string, apiKey = KEY) => new Anthropic({ baseURL: url, apiKey, maxRetries: 0 })
const ask = (client: OpenAI, model = 'mock/mock-gpt', extra: Record<string, unknown> = {}) =>
  client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], ...extra })

async function failure(p: Promise<unknown>): Promise<{ status: number; headers: Headers; error: unknown }> {
  try {
    await p
  } catch (err) {
    const e = err as { status: number; headers: Headers; error: unknown }
    return { status: e.status, headers: e.headers, error: e.error }
  }
  throw new Error('expected the call to fail')
}

describe('authentication', () => {
  const keys = `  - { name: ci, key: "\${env:SY_KEY_CI}" }\n  - { name: old, key: "\${env:SY_KEY_OTHER}", expiresAt: "2020-01-01T00:00:00Z" }`

  it('answers 401 without a key, in each API’s own error format', async () => {
    const { url } = await start(keys)
    const post = (path: string, body: object) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const o = await post('/v1/chat/completions', { model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'x' }] })
    expect(o.status).toBe(401)
    expect(await o.json()).toMatchObject({ error: { code: 'invalid_api_key', type: expect.any(String) } })
    const a = await post('/v1/messages', {
      model: 'claude/mock-claude',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'x' }],
    })
    expect(a.status).toBe(401)
    expect(await a.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } })
    const ollama = await fetch(`${url}/api/tags`)
    expect(ollama.status).toBe(401)
    // Health is public; the admin API wants the admin token, never a client key.
    expect((await fetch(`${url}/health`)).status).toBe(200)
    expect((await fetch(`${url}/admin/v1/keys`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(401)
    expect((await fetchAsAdmin(`${url}/admin/v1/keys`)).status).toBe(200)
  })

  it('answers 401 to a wrong or expired key through both SDKs, and serves the right one', async () => {
    const { url } = await start(keys)
    expect((await failure(ask(openai(url, 'sk-wrong')))).status).toBe(401)
    expect((await failure(ask(openai(url, OTHER)))).status).toBe(401)
    const wrongAnthropic = anthropic(url, 'sk-wrong').messages.create({
      model: 'claude/mock-claude',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'x' }],
    })
    expect((await failure(wrongAnthropic)).status).toBe(401)
    expect((await ask(openai(url))).choices[0].message.content).toBe('Echo: hi')
    const ok = await anthropic(url).messages.create({
      model: 'claude/mock-claude',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(ok.content[0]).toMatchObject({ text: 'Echo: hi' })
  })
})

it('rejects a config with duplicate key names or a downgrade to an unknown provider', () => {
  const cfg = (keys: string) => () => parseConfig(`${providers()}keys:\n${keys}`, 'yaml', env)
  expect(cfg(`  - { name: a, key: x }\n  - { name: a, key: y }`)).toThrow(/duplicate key name 'a'/)
  expect(cfg(`  - { name: a, key: x, budget: { usd: 1, period: day, onExceed: "downgrade:nope/m" } }`)).toThrow(
    /keys\/0\/budget\/onExceed/,
  )
  expect(cfg(`  - { name: a, key: x, limits: { rpm: 0 } }`)).toThrow(/keys\/0\/limits\/rpm/)
})

it('turns key auth on when keys arrive through a config import, without a restart', async () => {
  const app = buildGateway(parseConfig(providers(), 'yaml', env), { webRoot: false })
  apps.push(app)
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  expect((await ask(openai(url, 'anything'))).choices[0].message.content).toBe('Echo: hi')
  const text = `${providers()}keys:\n  - { name: ci, key: "\${env:SY_KEY_CI}", models: ["mock/*"] }\n`
  const imported = await fetchAsAdmin(`${url}/admin/v1/config/import`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text, apply: true }),
  })
  expect(await imported.json()).toMatchObject({ applied: true })
  expect((await failure(ask(openai(url, 'anything')))).status).toBe(401)
  expect((await ask(openai(url))).choices[0].message.content).toBe('Echo: hi')
  expect((await failure(ask(openai(url), 'cheap/mock-gpt'))).status).toBe(403)
})

it('refuses models outside the key’s globs with 403', async () => {
  const { url } = await start(`  - { name: ci, key: "\${env:SY_KEY_CI}", models: ["mock/*-gpt"] }`)
  expect((await ask(openai(url))).choices[0].message.content).toBe('Echo: hi')
  const denied = await failure(ask(openai(url), 'cheap/mock-gpt'))
  expect(denied.status).toBe(403)
  expect(denied.error).toMatchObject({ code: 'model_not_allowed' })
  expect((await openai(url).embeddings.create({ model: 'mock/mock-gpt', input: 'x' })).data).toHaveLength(1)
  expect((await failure(openai(url).embeddings.create({ model: 'cheap/mock-embed', input: 'x' }))).status).toBe(403)
  const viaAnthropic = anthropic(url).messages.create({
    model: 'claude/mock-claude',
    max_tokens: 5,
    messages: [{ role: 'user', content: 'x' }],
  })
  expect((await failure(viaAnthropic)).status).toBe(403)
})

describe('rate limits', () => {
  // A frozen clock: the buckets refill by time, and these tests count exact admissions.
  const frozen = { context: { clock: () => Date.UTC(2026, 0, 15, 12) } }

  it('answers 429 with Retry-After and x-ratelimit headers once the RPM is used up', async () => {
    const { url } = await start(`  - { name: ci, key: "\${env:SY_KEY_CI}", limits: { rpm: 2 } }`, frozen)
    const first = await ask(openai(url)).withResponse()
    expect(first.response.headers.get('x-ratelimit-limit-requests')).toBe('2')
    expect(first.response.headers.get('x-ratelimit-remaining-requests')).toBe('1')
    expect(first.response.headers.get('x-ratelimit-reset-requests')).toBe('30s')
    await ask(openai(url))
    const refused = await failure(ask(openai(url)))
    expect(refused.status).toBe(429)
    expect(refused.error).toMatchObject({ code: 'rate_limit_exceeded' })
    expect(refused.headers.get('retry-after')).toBe('30')
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0')
  })

  it('admits exactly the RPM out of 200 parallel calls', async () => {
    const { url } = await start(`  - { name: ci, key: "\${env:SY_KEY_CI}", limits: { rpm: 50 } }`, frozen)
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: KEY, maxRetries: 0, timeout: 30_000 })
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => ask(client, 'mock/mock-gpt', { user: `u${i}` })),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(50)
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(rejected.every((r) => (r.reason as { status: number }).status === 429)).toBe(true)
  }, 30_000)

  it('charges TPM with the estimate first, then with the tokens the call really used', async () => {
    const { url } = await start(`  - { name: ci, key: "\${env:SY_KEY_CI}", limits: { tpm: 40 } }`, frozen)
    // 'hi': estimated at 1 token; the mock reports 1 prompt + 20 completion tokens, leaving 19.
    const first = await ask(openai(url)).withResponse()
    expect(first.response.headers.get('x-ratelimit-remaining-tokens')).toBe('39')
    await ask(openai(url))
    const refused = await failure(ask(openai(url)))
    expect(refused.status).toBe(429)
    expect(refused.headers.get('x-ratelimit-remaining-tokens')).toBe('0')
  })

  it('limits each end user separately under the key', async () => {
    const { url } = await start(`  - { name: ci, key: "\${env:SY_KEY_CI}", limits: { perUserRpm: 1 } }`, frozen)
    await ask(openai(url), 'mock/mock-gpt', { user: 'alice' })
    expect((await failure(ask(openai(url), 'mock/mock-gpt', { user: 'alice' }))).status).toBe(429)
    await ask(openai(url), 'mock/mock-gpt', { user: 'bob' })
    const viaMetadata = (user: string) =>
      anthropic(url).messages.create({
        model: 'claude/mock-claude',
        max_tokens: 5,
        metadata: { user_id: user },
        messages: [{ role: 'user', content: 'x' }],
      })
    await viaMetadata('carol')
    expect((await failure(viaMetadata('carol'))).status).toBe(429)
  })
})

describe('budgets', () => {
  // 20 completion tokens per mock answer at $50 000 per million output tokens: $1.00 a call.
  const pricing = `
pricing:
  mock/mock-gpt: { input: 0, output: 50000 }
  cheap/mock-gpt: { input: 0, output: 0 }
`

  it('blocks with 429 budget_exceeded once the period’s spend reaches the budget', async () => {
    const dataDir = tempDir()
    const keys = `  - { name: ci, key: "\${env:SY_KEY_CI}", budget: { usd: 2, period: month, onExceed: block } }`
    const { app, url } = await start(keys, { dataDir }, pricing)
    for (let i = 0; i < 2; i++) {
      await ask(openai(url))
      app.requestLog.flush()
    }
    const refused = await failure(ask(openai(url)))
    expect(refused.status).toBe(429)
    expect(refused.error).toMatchObject({ code: 'budget_exceeded' })
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    const listed = (await (await fetchAsAdmin(`${url}/admin/v1/keys`)).json()) as { items: Record<string, unknown>[] }
    expect(listed.items[0]).toMatchObject({
      name: 'ci',
      budget: { usd: 2, period: 'month', onExceed: 'block', spentUsd: 2, percentUsed: 100 },
    })
    await app.close()

    // A restart reads the period's spend back from the cost ledger.
    const again = await start(keys, { dataDir }, pricing)
    expect((await failure(ask(openai(again.url)))).status).toBe(429)
  })

  it('serves the downgrade model once the budget is spent, and logs it as such', async () => {
    const dataDir = tempDir()
    const keys = `  - { name: ci, key: "\${env:SY_KEY_CI}", budget: { usd: 1, period: day, onExceed: "downgrade:cheap/mock-gpt" } }`
    const { app, url } = await start(keys, { dataDir }, pricing)
    const before = await ask(openai(url)).withResponse()
    expect(before.response.headers.get('x-switchyard-provider')).toBe('mock')
    app.requestLog.flush()
    const after = await ask(openai(url)).withResponse()
    expect(after.response.headers.get('x-switchyard-provider')).toBe('cheap')
    await app.close()
    const db = new Database(join(dataDir, 'switchyard.db'), { readonly: true })
    const rows = db.prepare('SELECT provider, key_name, downgraded_from FROM request_logs ORDER BY id').all()
    db.close()
    expect(rows).toEqual([
      { provider: 'mock', key_name: 'ci', downgraded_from: null },
      { provider: 'cheap', key_name: 'ci', downgraded_from: 'mock/mock-gpt' },
    ])
  })
})

it('never lets a key tagged local reach a cloud provider, even through a fallback', async () => {
  const cloud = await startScriptedUpstream({
    '/v1/chat/completions': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'c1',
          object: 'chat.completion',
          created: 0,
          model: 'm',
          choices: [{ index: 0, message: { role: 'assistant', content: 'from cloud' }, finish_reason: 'stop' }],
        }),
      )
    },
  })
  try {
    const extra = `
  down: { type: openai-compatible, baseUrl: "http://127.0.0.1:9/v1", tags: [local] }
  far: { type: openai-compatible, baseUrl: "${cloud.url}/v1", tags: [cloud, eu] }
routes:
  fast: { retries: { attempts: 0 }, targets: [ { model: down/x }, { model: far/m } ] }
  eu-only: { tags: [eu], targets: [ { model: mock/mock-gpt }, { model: far/m } ] }
  home: { tags: [local], retries: { attempts: 0 }, targets: [ { model: down/x }, { model: far/m } ] }
`
    const keys = `  - { name: ci, key: "\${env:SY_KEY_CI}", tags: [local] }\n  - { name: any, key: "\${env:SY_KEY_OTHER}" }`
    const app = buildGateway(parseConfig(`${providers()}${extra}keys:\n${keys}`, 'yaml', env), { webRoot: false })
    apps.push(app)
    const url = await app.listen({ host: '127.0.0.1', port: 0 })

    // The fallback is real: an unrestricted key is served by the cloud target.
    expect((await ask(openai(url, OTHER), 'fast')).choices[0].message.content).toBe('from cloud')
    const before = cloud.requests.length
    const local = await failure(ask(openai(url), 'fast'))
    expect(local.status).toBeGreaterThanOrEqual(502)
    const direct = await failure(ask(openai(url), 'far/m'))
    expect(direct.status).toBe(403)
    expect(direct.error).toMatchObject({ code: 'residency_violation' })
    expect(cloud.requests.length).toBe(before)
    // A local target serves the local key.
    expect((await ask(openai(url), 'cheap/mock-gpt')).choices[0].message.content).toBe('Echo: hi')

    // A route can be restricted too, for every caller: its untagged-for-it targets are skipped...
    expect((await ask(openai(url, OTHER), 'eu-only')).choices[0].message.content).toBe('from cloud')
    // ...and a failing allowed target does not fall back to a forbidden one.
    const beforeHome = cloud.requests.length
    expect((await failure(ask(openai(url, OTHER), 'home'))).status).toBeGreaterThanOrEqual(502)
    expect(cloud.requests.length).toBe(beforeHome)
    // Route and key restrictions both hold: the eu route has nothing tagged local for the local key.
    expect((await failure(ask(openai(url), 'eu-only'))).error).toMatchObject({ code: 'residency_violation' })
  } finally {
    await cloud.stop()
  }
})

it('keeps the key out of the database and the admin API', async () => {
  const dataDir = tempDir()
  const { app, url } = await start(`  - { name: ci, key: "\${env:SY_KEY_CI}", metadata: { team: infra } }`, { dataDir })
  // Even pasted into a prompt, the key is stripped before the body is stored.
  await ask(openai(url), 'mock/mock-gpt', { messages: [{ role: 'user', content: `my key is ${KEY}` }] })
  await anthropic(url).messages.create({
    model: 'claude/mock-claude',
    max_tokens: 5,
    messages: [{ role: 'user', content: 'x' }],
  })
  const listed = (await (await fetchAsAdmin(`${url}/admin/v1/keys`)).json()) as {
    items: Record<string, unknown>[]
    total: number
  }
  expect(listed.total).toBe(1)
  expect(listed.items[0]).toMatchObject({ name: 'ci', key: 'sk-s…CRET', metadata: { team: 'infra' } })
  expect(JSON.stringify(listed)).not.toContain(KEY)
  await app.close()
  const db = new Database(join(dataDir, 'switchyard.db'), { readonly: true })
  expect(db.prepare('SELECT count(*) AS n FROM request_logs WHERE key_name = ?').get('ci')).toEqual({ n: 2 })
  db.close()
  for (const f of ['switchyard.db', 'switchyard.db-wal']) {
    const path = join(dataDir, f)
    if (existsSync(path)) expect(readFileSync(path).includes(KEY)).toBe(false)
  }
})
