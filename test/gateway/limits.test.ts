import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Anthropic from '@anthropic-ai/sdk'
import Database from 'better-sqlite3'
import type { FastifyInstance } from 'fastify'
import OpenAI from 'openai'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { createMemorySink, type LogEvent } from '../../src-gateway/core/log-event.js'
import { buildGateway, type GatewayDeps } from '../../src-gateway/server.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// Per-provider rate limits, and key limits and budgets under 200 parallel calls, through the real SDKs.

const KEY = 'sk-sy-limits-0123456789abcdefSECRET'
const env = { SY_KEY: KEY }
// A frozen clock: buckets refill by time, and these tests count exact admissions.
const frozen = () => Date.UTC(2026, 0, 15, 12)

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

async function start(yaml: string, deps: GatewayDeps = {}) {
  const app = buildGateway(parseConfig(yaml, 'yaml', env), { webRoot: false, ...deps })
  apps.push(app)
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, url }
}

const openai = (url: string, apiKey = KEY) =>
  new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0, timeout: 60_000 })
const ask = (client: OpenAI, model: string, extra: Record<string, unknown> = {}) =>
  client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], ...extra }).withResponse()

interface Failure {
  status: number
  headers: Headers
  error: { code?: string; type?: string; message?: string } | undefined
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

/** Sends `n` calls at once; answers the served ones' providers and the refusals' status and code. */
async function burst(n: number, call: () => Promise<{ response: Response }>) {
  const results = await Promise.allSettled(Array.from({ length: n }, call))
  const served = results.flatMap((r) =>
    r.status === 'fulfilled' ? [r.value.response.headers.get('x-switchyard-provider')] : [],
  )
  const refused = results.flatMap((r) =>
    r.status === 'rejected' ? [r.reason as { status: number; error?: { code?: string } }] : [],
  )
  return { served, refused: refused.map((e) => `${e.status} ${e.error?.code}`) }
}

describe('per-provider rate limits', () => {
  const providers = (a: string, b: string) => `
providers:
  a: { type: openai-compatible, baseUrl: "${mock.url}/v1", limits: ${a} }
  b: { type: openai-compatible, baseUrl: "${mock.url}/v1", limits: ${b} }
  claude: { type: anthropic, baseUrl: "${mock.url}" }
routes:
  fast: { retries: { attempts: 0 }, targets: [ { model: a/mock-gpt }, { model: b/mock-gpt } ] }
`

  it('skips a provider whose RPM is used up, falls back, then answers 429 with Retry-After in each API’s format', async () => {
    const sink = createMemorySink()
    const { url } = await start(providers('{ rpm: 2 }', '{ rpm: 2 }'), { sink, context: { clock: frozen } })
    const client = openai(url)
    const providersServed: (string | null)[] = []
    for (let i = 0; i < 4; i++)
      providersServed.push((await ask(client, 'fast')).response.headers.get('x-switchyard-provider'))
    expect(providersServed).toEqual(['a', 'a', 'b', 'b'])

    const refused = await failure(ask(client, 'fast'))
    expect(refused.status).toBe(429)
    expect(refused.error).toMatchObject({ code: 'provider_rate_limited' })
    expect(refused.error?.message).toMatch(/provider 'b' is at its requests per minute limit \(2\)/)
    // Two requests per minute: the next one is there in 30 s.
    expect(refused.headers.get('retry-after')).toBe('30')

    const viaAnthropic = await failure(
      new Anthropic({ baseURL: url, apiKey: 'x', maxRetries: 0 }).messages.create({
        model: 'fast',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    )
    expect(viaAnthropic.status).toBe(429)
    expect(viaAnthropic.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } })
    expect(viaAnthropic.headers.get('retry-after')).toBe('30')

    const events = sink.events as LogEvent[]
    // The fallback is recorded like any other: the skipped target is an attempt failure with status 429.
    expect(events[2]).toMatchObject({ provider: 'b', status: 200, isFallback: true, attempts: 1 })
    expect(events[2].attemptFailures).toEqual([
      { provider: 'a', model: 'mock-gpt', status: 429, error: expect.stringContaining("provider 'a'") },
    ])
    expect(events[4]).toMatchObject({ status: 429, attempts: 0 })
    expect(events[4].attemptFailures?.map((f) => [f.provider, f.status])).toEqual([
      ['a', 429],
      ['b', 429],
    ])
  })

  it('charges provider TPM with the prompt estimate, then with the tokens really used', async () => {
    const { url } = await start(providers('{ tpm: 100 }', '{ tpm: 100 }'), { context: { clock: frozen } })
    const client = openai(url)
    // 200 characters: estimated at 50 tokens; the mock reports 50 prompt + 20 completion tokens.
    const long = (n: number) =>
      client.chat.completions.create({ model: 'a/mock-gpt', messages: [{ role: 'user', content: 'x'.repeat(n) }] })
    await long(200)
    // 70 of 100 used: a second 50-token estimate no longer fits (it would if only the estimate counted)…
    const refused = await failure(long(200))
    expect(refused.status).toBe(429)
    expect(refused.error?.message).toMatch(/tokens per minute limit \(100\)/)
    // …and a refused call gives nothing back: 30 are left, enough for a 100-character prompt (25 tokens).
    expect((await long(100)).choices[0].message.content).toBe(`Echo: ${'x'.repeat(100)}`)
  })

  it('serves exactly the provider’s RPM out of 200 parallel calls and sends the rest to the fallback', async () => {
    const { url } = await start(providers('{ rpm: 50 }', '{ rpm: 1000 }'), { context: { clock: frozen } })
    const client = openai(url)
    const { served, refused } = await burst(200, () => ask(client, 'fast'))
    expect(refused).toEqual([])
    expect(served.filter((p) => p === 'a')).toHaveLength(50)
    expect(served.filter((p) => p === 'b')).toHaveLength(150)
  }, 60_000)

  it('limits embeddings by the provider too', async () => {
    const { url } = await start(providers('{ rpm: 1 }', '{ rpm: 1 }'), { context: { clock: frozen } })
    const client = openai(url)
    await client.embeddings.create({ model: 'a/mock-embed', input: 'x' })
    const refused = await failure(client.embeddings.create({ model: 'a/mock-embed', input: 'x' }))
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('60')
  })
})

describe('key limits and budgets under 200 parallel calls', () => {
  const base = () => `
providers:
  mock: { type: openai-compatible, baseUrl: "${slow.url}/v1" }
  cheap: { type: openai-compatible, baseUrl: "${slow.url}/v1" }
pricing:
  mock/mock-gpt: { input: 0, output: 50000 }
  cheap/mock-gpt: { input: 0, output: 0 }
keys:
`
  // 20 completion tokens per mock answer at $50 000 per million output tokens: $1.00 a call.
  const keyed = (extra: string) => `${base()}  - { name: ci, key: "\${env:SY_KEY}", ${extra} }\n`

  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'switchyard-limits-'))
    dirs.push(d)
    return d
  }

  /** The key's spend in the cost ledger, read after the gateway has closed (every row written). */
  const ledgerSpend = (dataDir: string) => {
    const db = new Database(join(dataDir, 'switchyard.db'), { readonly: true })
    const row = db
      .prepare("SELECT COUNT(*) AS n, SUM(cost_usd) AS usd FROM request_logs WHERE key_name = 'ci' AND status = 200")
      .get()
    db.close()
    return row as { n: number; usd: number }
  }

  it('admits exactly the calls whose estimated prompt tokens fit the key’s TPM', async () => {
    const { url } = await start(keyed('limits: { tpm: 1000 }'), { context: { clock: frozen } })
    const client = openai(url)
    // 400 characters: estimated at 100 tokens each, so ten fit in 1000.
    const { served, refused } = await burst(200, () =>
      client.chat.completions
        .create({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'y'.repeat(400) }] })
        .withResponse(),
    )
    expect(served).toHaveLength(10)
    expect(new Set(refused)).toEqual(new Set(['429 rate_limit_exceeded']))
    // Each used 120 tokens (100 prompt + 20 completion): the 200 beyond the estimates are a debt.
    const after = await failure(ask(client, 'mock/mock-gpt'))
    expect(after.status).toBe(429)
    expect(after.headers.get('x-ratelimit-remaining-tokens')).toBe('0')
  }, 60_000)

  it('never lets concurrent calls overspend the budget when each call bounds its output', async () => {
    const dataDir = tempDir()
    const { app, url } = await start(keyed('budget: { usd: 5, period: month }'), { dataDir })
    const client = openai(url)
    // max_tokens 20 prices each call at $1 up front: five reservations fill the $5.
    const first = await burst(200, () => ask(client, 'mock/mock-gpt', { max_tokens: 20 }))
    expect(first.served).toHaveLength(5)
    expect(new Set(first.refused)).toEqual(new Set(['429 budget_reserved']))
    const again = await burst(200, () => ask(client, 'mock/mock-gpt', { max_tokens: 20 }))
    expect(again.served).toHaveLength(0)
    expect(new Set(again.refused)).toEqual(new Set(['429 budget_exceeded']))
    await app.close()
    expect(ledgerSpend(dataDir)).toEqual({ n: 5, usd: 5 })
  }, 60_000)

  it('overspends by at most one call when the cost is learnt on the way', async () => {
    const dataDir = tempDir()
    const { app, url } = await start(keyed('budget: { usd: 5.5, period: month }'), { dataDir })
    const client = openai(url)
    // No max_tokens: until a call has cost something, the default output prices a call at $51.20, more
    // than the budget, so the first goes alone; later calls reserve the $1 a call has cost. Once the
    // $0.50 left cannot hold a reservation, one call is still admitted when nothing else is in flight.
    const waves: number[] = []
    for (let wave = 0; wave < 4; wave++)
      waves.push((await burst(200, () => ask(client, 'mock/mock-gpt'))).served.length)
    expect(waves).toEqual([1, 4, 1, 0])
    await app.close()
    const spend = ledgerSpend(dataDir)
    expect(spend).toEqual({ n: 6, usd: 6 })
    expect(spend.usd).toBeLessThanOrEqual(5.5 + 1)
  }, 120_000)

  it('downgrades the calls the budget cannot hold', async () => {
    const { url } = await start(keyed('budget: { usd: 2, period: day, onExceed: "downgrade:cheap/mock-gpt" }'))
    const client = openai(url)
    const { served, refused } = await burst(200, () => ask(client, 'mock/mock-gpt', { max_tokens: 20 }))
    expect(refused).toEqual([])
    expect(served.filter((p) => p === 'mock')).toHaveLength(2)
    expect(served.filter((p) => p === 'cheap')).toHaveLength(198)
  }, 60_000)
})
