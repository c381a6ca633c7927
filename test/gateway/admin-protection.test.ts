import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { adminHeadersOf } from '../helpers/gateway.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// Redaction, guardrails and the cache as the admin API shows them: real SDK calls through the gateway to
// the mock upstream, then the log rows, their filters, the stats and the export.

const PRICE = { input: 1000, output: 2000 }
const QUESTION = 'What is the capital of France?'
const EMAIL = 'jane.doe@example.com'
const PII = `Write to ${EMAIL} and bob@example.org about card 4111 1111 1111 1111.`

let mock: RunningMock
let app: FastifyInstance
let url: string
const dir = mkdtempSync(join(tmpdir(), 'switchyard-protection-'))
/** What the first (uncached) answer to QUESTION cost: what the cached replay saved. */
let saved: number

const yaml = () => `
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
routes:
  guarded:
    targets: [{ model: mock/mock-gpt }]
    guardrails:
      input:
        - { type: blocked_patterns, name: secret-project, patterns: ["secret project \\\\w+"], action: flag }
        - { type: blocked_patterns, name: passwords, patterns: ["password"], action: block }
pricing:
  mock/mock-gpt: { input: ${PRICE.input}, output: ${PRICE.output} }
cache: { mode: exact }
redaction: { mode: mask }
`

const get = async (path: string) => {
  const res = await fetch(`${url}${path}`, { headers: adminHeadersOf(app) })
  return { status: res.status, text: await res.text() }
}
const json = async (path: string) => JSON.parse((await get(path)).text)
const total = async (query: string) => (await json(`/admin/v1/logs?${query}`)).total as number

/** Waits until the gateway has queued or written `n` rows (a call logs just after its answer), then writes them. */
async function flushRows(n: number): Promise<void> {
  const writer = app.requestLog.writer!
  const until = Date.now() + 2000
  for (;;) {
    const { written, pending } = writer.stats()
    if (written + pending >= n || Date.now() > until) break
    await new Promise((r) => setTimeout(r, 5))
  }
  app.requestLog.flush()
}

beforeAll(async () => {
  mock = await startMockUpstream()
  app = buildGateway(parseConfig(yaml(), 'yaml'), { webRoot: false, dataDir: dir })
  url = await app.listen({ host: '127.0.0.1', port: 0 })
  const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0 })
  const ask = (model: string, content: string) =>
    openai.chat.completions.create({ model, messages: [{ role: 'user', content }] }).withResponse()

  const first = await ask('mock/mock-gpt', QUESTION)
  expect(first.response.headers.get('x-switchyard-cache')).toBe('miss')
  const usage = first.data.usage!
  saved = (usage.prompt_tokens * PRICE.input + usage.completion_tokens * PRICE.output) / 1e6
  const again = await ask('mock/mock-gpt', QUESTION)
  expect(again.response.headers.get('x-switchyard-cache')).toBe('hit')
  await ask('mock/mock-gpt', PII)
  await ask('guarded', 'Tell me about secret project Falcon')
  const blocked = await ask('guarded', 'my password is hunter2').catch((e) => e)
  expect(blocked).toBeInstanceOf(OpenAI.BadRequestError)
  await flushRows(5)
})
afterAll(async () => {
  await app?.close()
  await mock?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('protection in the request log', () => {
  it('lists each call with its redactions, guardrail hits, cache hit and what the hit saved', async () => {
    const { items, total: n } = await json('/admin/v1/logs')
    expect(n).toBe(5)
    const [blocked, flagged, redacted, hit, miss] = items
    expect(miss).toMatchObject({ isCacheHit: false, cacheSavedUsd: null, redactions: {}, guardrails: [] })
    expect(miss.costUsd).toBeCloseTo(saved, 12)
    expect(hit).toMatchObject({ isCacheHit: true, costUsd: 0, guardrailAction: null })
    expect(hit.cacheSavedUsd).toBeCloseTo(saved, 12)
    expect(redacted).toMatchObject({ redactions: { email: 2, credit_card: 1 }, guardrailAction: null })
    expect(flagged).toMatchObject({ status: 200, route: 'guarded', guardrailAction: 'flag' })
    expect(flagged.guardrails).toEqual([
      expect.objectContaining({ stage: 'input', type: 'blocked_patterns', check: 'secret-project', action: 'flag' }),
    ])
    expect(blocked).toMatchObject({ status: 400, guardrailAction: 'block' })
    expect(blocked.guardrails.map((h: { check: string }) => h.check)).toEqual(['passwords'])
  })

  it('gives the same fields on one row, and keeps counts of redacted entities, never their values', async () => {
    const { items } = await json('/admin/v1/logs?redacted=true')
    const detail = await get(`/admin/v1/logs/${items[0].id}`)
    expect(JSON.parse(detail.text)).toMatchObject({
      redactions: { email: 2, credit_card: 1 },
      guardrails: [],
      guardrailAction: null,
      isCacheHit: false,
      cacheSavedUsd: null,
    })
    expect(detail.text).not.toContain(EMAIL)
    const hit = (await json('/admin/v1/logs?cache=hit')).items[0]
    const hitDetail = await json(`/admin/v1/logs/${hit.id}`)
    expect(hitDetail.cacheSavedUsd).toBeCloseTo(saved, 12)
  })

  it('filters by cache, guardrail action and redaction, alone and with the other filters', async () => {
    expect(await total('cache=hit')).toBe(1)
    expect(await total('cache=miss')).toBe(4)
    expect(await total('guardrail=block')).toBe(1)
    expect(await total('guardrail=flag')).toBe(1)
    expect(await total('guardrail=log')).toBe(0)
    expect(await total('guardrail=any')).toBe(2)
    expect(await total('redacted=true')).toBe(1)
    expect(await total('cache=miss&guardrail=any&status=200')).toBe(1)
    expect(await total('cache=hit&redacted=true')).toBe(0)
    for (const bad of ['cache=maybe', 'guardrail=oops', 'redacted=false']) {
      const res = await get(`/admin/v1/logs?${bad}`)
      expect(res.status).toBe(400)
      expect(JSON.parse(res.text).error.type).toBe('invalid_request_error')
    }
  })

  it('totals cache hits, cost saved, blocked and flagged calls and redactions in the stats, per bucket and check', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString()
    const to = new Date(Date.now() + 60_000).toISOString()
    const s = await json(`/admin/v1/stats?from=${from}&to=${to}&bucket=hour&groupBy=model`)
    expect(s.totals).toMatchObject({
      requests: 5,
      cacheHits: 1,
      guardrailBlocked: 1,
      guardrailFlagged: 1,
      redactedCalls: 1,
    })
    expect(s.totals.cacheSavedUsd).toBeCloseTo(saved, 12)
    const sum = (k: string) => s.series.reduce((a: number, p: Record<string, number>) => a + p[k], 0)
    expect(sum('cacheHits')).toBe(1)
    expect(sum('cacheSavedUsd')).toBeCloseTo(saved, 12)
    expect(sum('guardrailBlocked') + sum('guardrailFlagged') + sum('redactedCalls')).toBe(3)
    expect(s.byGuardrail).toEqual([
      { check: 'passwords', stage: 'input', action: 'block', count: 1 },
      { check: 'secret-project', stage: 'input', action: 'flag', count: 1 },
    ])
    expect(s.byRedaction).toEqual([
      { type: 'email', count: 2 },
      { type: 'credit_card', count: 1 },
    ])
    // The cache's own counters since start agree with the log.
    const cache = await json('/admin/v1/cache')
    expect(cache).toMatchObject({ mode: 'exact', hits: 1, entries: 2 })
    expect(cache.savedUsd).toBeCloseTo(saved, 12)
  })

  it('exports the protection columns as JSONL and CSV', async () => {
    const jsonl = (await get('/admin/v1/logs/export?format=jsonl')).text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(jsonl).toHaveLength(5)
    expect(jsonl[1]).toMatchObject({
      guardrailAction: 'flag',
      guardrails: [expect.objectContaining({ action: 'flag' })],
    })
    expect(jsonl[3].cacheSavedUsd).toBeCloseTo(saved, 12)

    const [header, ...records] = (await get('/admin/v1/logs/export?format=csv')).text.trimEnd().split('\r\n')
    const columns = header.split(',')
    for (const c of ['isCacheHit', 'cacheSavedUsd', 'redactions', 'guardrails', 'guardrailAction']) {
      expect(columns).toContain(c)
    }
    expect(records).toHaveLength(5)
    // Objects are JSON text, quoted with their quotes doubled; empty ones are blank cells.
    expect(records[2]).toContain('"{""email"":2,""credit_card"":1}"')
    expect(records[1]).toContain('""check"":""secret-project""')
    expect(records[1].endsWith(',flag,')).toBe(true)
    const last = (record: string) => record.slice(record.lastIndexOf(',') + 1)
    expect(Number(last(records[3]))).toBeCloseTo(saved, 12)
    expect(records[4].endsWith(',,,,')).toBe(true)
  })
})
