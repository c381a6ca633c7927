import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import type { LogEvent } from '../../src-gateway/core/log-event.js'
import { buildGateway } from '../../src-gateway/server.js'
import { adminHeadersOf } from '../helpers/gateway.js'

const UPSTREAM_KEY = 'sk-upstream-secret-0123456789'
const VIRTUAL_KEY = 'vk-ci-secret-abcdef'
const YAML = `
providers:
  # Listed: metric series exist only for models a provider offers (no upstream answers a listing here).
  openai: { type: openai, apiKey: "\${env:OPENAI_KEY}", models: [gpt-4o, house-model] }
  local: { type: ollama, models: [llama3.2] }
keys:
  - { name: ci, key: "\${env:CI_KEY}" }
pricing:
  openai/house-model: { input: 2, output: 4 }
# The rows below are dated 2025; background retention must not delete them mid-test.
logs: { maxAgeDays: 36500 }
`
const config = () => parseConfig(YAML, 'yaml', { OPENAI_KEY: UPSTREAM_KEY, CI_KEY: VIRTUAL_KEY })
const HOUR = 3_600_000
const T0 = Date.parse('2025-03-01T10:00:00Z')

/** 60 calls over three hours: gpt-4o on openai, llama on local, every 10th an error (429 or 502), half from key `ci`. */
function events(): LogEvent[] {
  return Array.from({ length: 60 }, (_, i) => {
    const local = i % 3 === 0
    return {
      requestId: `req_${String(i).padStart(3, '0')}`,
      startedAt: T0 + Math.floor(i / 20) * HOUR + i * 1000,
      inboundApi: 'openai',
      requestedModel: local ? 'local/llama3.2' : 'gpt-4o',
      provider: local ? 'local' : 'openai',
      model: local ? 'llama3.2' : 'gpt-4o',
      keyName: i % 2 === 0 ? 'ci' : undefined,
      status: i % 20 === 9 ? 429 : i % 20 === 19 ? 502 : 200,
      error: i % 10 === 9 ? 'upstream said "no", badly' : undefined,
      latencyMs: 100 + i,
      ttftMs: 10 + i,
      inputTokens: 1000,
      outputTokens: 500,
      stream: i % 2 === 1,
      attempts: 1,
      requestBody: {
        model: 'gpt-4o',
        messages: [{ role: 'user', content: `question ${i} ${i === 43 ? 'needle-in-body' : ''} ${UPSTREAM_KEY}` }],
        api_key: VIRTUAL_KEY,
      },
      responseBody: { choices: [{ message: { content: `answer ${i}, with comma` } }] },
    }
  })
}

const get = async (app: FastifyInstance, url: string) => {
  const res = await app.inject({ method: 'GET', url, headers: adminHeadersOf(app) })
  return { status: res.statusCode, headers: res.headers, text: res.body, json: () => JSON.parse(res.body) }
}

describe('admin request logs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-admin-'))
  let app: FastifyInstance

  beforeAll(async () => {
    app = buildGateway(config(), { webRoot: false, dataDir: dir })
    await app.ready()
    for (const e of events()) app.gateway.sink.push(e)
    app.requestLog.flush()
  })
  afterAll(async () => {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('lists newest first and pages with a cursor until every row was seen once', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const { status, json } = await get(app, `/admin/v1/logs?limit=25${cursor ? `&cursor=${cursor}` : ''}`)
      expect(status).toBe(200)
      const page = json()
      // Each page counts the matching rows from its cursor on.
      expect(page.total).toBe(60 - seen.length)
      seen.push(...page.items.map((it: { requestId: string }) => it.requestId))
      cursor = page.nextCursor
    } while (cursor)
    expect(seen).toHaveLength(60)
    expect(new Set(seen).size).toBe(60)
    expect(seen[0]).toBe('req_059')
    expect(seen.at(-1)).toBe('req_000')
  })

  it('defaults to 50 items and refuses a limit over 1000 in the OpenAI error shape', async () => {
    expect((await get(app, '/admin/v1/logs')).json().items).toHaveLength(50)
    const bad = await get(app, '/admin/v1/logs?limit=1001')
    expect(bad.status).toBe(400)
    expect(bad.json().error.type).toBe('invalid_request_error')
    const badStatus = await get(app, '/admin/v1/logs?status=oops')
    expect(badStatus.status).toBe(400)
    const badTime = await get(app, '/admin/v1/logs?from=yesterday-ish')
    expect(badTime.status).toBe(400)
    expect(badTime.json().error.param).toBe('from')
  })

  it('filters by model, provider, key, status, time range and text', async () => {
    const total = async (q: string) => (await get(app, `/admin/v1/logs?${q}`)).json().total
    expect(await total('model=llama3.2')).toBe(20)
    expect(await total('provider=openai')).toBe(40)
    expect(await total('key=ci')).toBe(30)
    expect(await total('status=error')).toBe(6)
    expect(await total('status=502')).toBe(3)
    expect(await total('status=200&provider=local')).toBe(20 - 2)
    expect(await total(`from=${new Date(T0 + HOUR).toISOString()}&to=${new Date(T0 + 2 * HOUR).toISOString()}`)).toBe(
      20,
    )
    expect(await total('q=req_04')).toBe(10)
    expect(await total('q=needle-in-body')).toBe(1)
    expect(await total('q=100%25')).toBe(0)
  })

  it('returns one row in full, bodies included and secrets stripped', async () => {
    const list = (await get(app, '/admin/v1/logs?q=needle-in-body')).json()
    const detail = await get(app, `/admin/v1/logs/${list.items[0].id}`)
    expect(detail.status).toBe(200)
    const row = detail.json()
    expect(row).toMatchObject({ requestId: 'req_043', provider: 'openai', model: 'gpt-4o', status: 200 })
    expect(row.costUsd).toBeCloseTo((1000 * 2.5 + 500 * 10) / 1e6)
    expect(row.requestBody.messages[0].content).toContain('needle-in-body')
    expect(row.responseBody.choices[0].message.content).toBe('answer 43, with comma')
    expect(detail.text).not.toContain(UPSTREAM_KEY)
    expect(detail.text).not.toContain(VIRTUAL_KEY)
    expect((await get(app, '/admin/v1/logs/999999')).status).toBe(404)
  })

  it('prices local calls at 0 and cloud calls from the table', async () => {
    const local = (await get(app, '/admin/v1/logs?provider=local&limit=1')).json().items[0]
    expect(local.costUsd).toBe(0)
  })

  it('aggregates stats per hour and group, with totals and percentiles', async () => {
    const from = new Date(T0).toISOString()
    const to = new Date(T0 + 3 * HOUR).toISOString()
    const s = (await get(app, `/admin/v1/stats?from=${from}&to=${to}&bucket=hour&groupBy=provider`)).json()
    expect(s.totals).toMatchObject({ requests: 60, errors: 6, inputTokens: 60_000, outputTokens: 30_000 })
    expect(s.totals.costUsd).toBeCloseTo(40 * 0.0075)
    // Latencies are 100..159: nearest-rank p50 is the 30th, p95 the 57th (read from the rollups' sketch: ±1%).
    const near = (v: number, exact: number) => expect(Math.abs(v / exact - 1)).toBeLessThanOrEqual(0.01)
    near(s.totals.latencyMs.p50, 129)
    near(s.totals.latencyMs.p95, 156)
    near(s.totals.ttftMs.p50, 39)
    near(s.totals.ttftMs.p95, 66)
    expect(s.groups.map((g: { group: string; requests: number }) => [g.group, g.requests])).toEqual([
      ['openai', 40],
      ['local', 20],
    ])
    expect(s.series).toHaveLength(6)
    expect(s.series[0]).toMatchObject({ bucket: '2025-03-01T10:00:00.000Z', group: 'local', requests: 7 })
    expect(s.db.rows).toBe(60)
    expect(s.db.sizeBytes).toBeGreaterThan(0)
    expect((await get(app, `/admin/v1/stats?from=${to}&to=${from}`)).status).toBe(400)
    expect((await get(app, '/admin/v1/stats?bucket=week')).status).toBe(400)
  })

  it('exports every matching row as JSONL and as CSV, streaming, with a file name', async () => {
    const jsonl = await get(app, '/admin/v1/logs/export?format=jsonl')
    expect(jsonl.status).toBe(200)
    expect(jsonl.headers['content-disposition']).toMatch(/^attachment; filename="switchyard-logs-.*\.jsonl"$/)
    const lines = jsonl.text.trimEnd().split('\n')
    expect(lines).toHaveLength(60)
    expect(JSON.parse(lines[0]).requestId).toBe('req_059')

    const csv = await get(app, '/admin/v1/logs/export?format=csv&status=error')
    expect(csv.headers['content-type']).toMatch(/^text\/csv/)
    const records = csv.text.trimEnd().split('\r\n')
    expect(records).toHaveLength(1 + 6)
    expect(records[0].split(',')).toContain('requestId')
    // The error text holds a comma and quotes, so it is quoted with the quotes doubled.
    expect(records[1]).toContain('"upstream said ""no"", badly"')
    for (const r of [jsonl.text, csv.text]) expect(r).not.toContain(UPSTREAM_KEY)
  })

  it('exports more rows than one batch', async () => {
    const extra = events().map((e, i) => ({ ...e, requestId: `bulk_${i}` }))
    for (let k = 0; k < 10; k++) for (const e of extra) app.gateway.sink.push(e)
    app.requestLog.flush()
    const res = await get(app, '/admin/v1/logs/export?format=jsonl&q=bulk_')
    expect(res.text.trimEnd().split('\n')).toHaveLength(600)
  })

  it('tells the price of a model for the UI', async () => {
    const p = (await get(app, '/admin/v1/pricing?model=openai/house-model')).json()
    expect(p).toMatchObject({ provider: 'openai', model: 'house-model', source: 'config', inputPerMtokUsd: 2 })
    const table = (await get(app, '/admin/v1/pricing?model=gpt-4o&provider=openai')).json()
    expect(table).toMatchObject({ source: 'genai-prices', inputPerMtokUsd: 2.5, outputPerMtokUsd: 10 })
    expect((await get(app, '/admin/v1/pricing?model=openai/nope-nothing')).status).toBe(404)
  })

  it('serves Prometheus metrics from memory', async () => {
    const res = await get(app, '/metrics')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(res.text).toContain('switchyard_requests_total{provider="local",model="llama3.2",status="200"} 198\n')
    expect(res.text).toContain('switchyard_log_queue_depth 0\n')
    // 660 rows so far (60, then 600 in the bulk export test), two thirds gpt-4o at $0.0075 each.
    const cost = res.text.match(/^switchyard_cost_usd_total\{provider="openai",model="gpt-4o"\} (.+)$/m)
    expect(Number(cost?.[1])).toBeCloseTo(440 * 0.0075)
    // The process's own gauges, under prom-client's names.
    const rss = Number(res.text.match(/^process_resident_memory_bytes (\d+)$/m)?.[1])
    expect(rss).toBeGreaterThan(10e6)
    expect(res.text).toMatch(/^nodejs_heap_size_used_bytes \d+$/m)
    expect(res.text).toMatch(/^process_cpu_seconds_total [\d.]+$/m)
  })
})

describe('admin request logs across restarts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-restart-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('writes queued rows on close, and they are there after reopening', async () => {
    const first = buildGateway(config(), { webRoot: false, dataDir: dir })
    await first.ready()
    for (const e of events()) first.gateway.sink.push(e)
    expect(first.requestLog.writer?.stats().pending).toBe(60)
    await first.close()

    const second = buildGateway(config(), { webRoot: false, dataDir: dir })
    await second.ready()
    expect((await get(second, '/admin/v1/logs?limit=1')).json().total).toBe(60)
    await second.close()
  })
})

describe('admin request logs without a data dir', () => {
  it('answers 503 with a message saying how to turn storage on', async () => {
    const app = buildGateway(config(), { webRoot: false })
    for (const url of ['/admin/v1/logs', '/admin/v1/logs/1', '/admin/v1/stats', '/admin/v1/logs/export']) {
      const res = await get(app, url)
      expect(res.status).toBe(503)
      expect(res.json().error.message).toContain('data dir')
    }
    await app.close()
  })
})
