import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import type { StatsQuery, StatsResult, StatsSummary } from '../../src-gateway/store/log-stats.js'
import { fillLog } from '../helpers/fill-log.js'
import { adminHeadersOf } from '../helpers/gateway.js'

/** The exact nearest-rank percentile (`p` in 0..1) of values sorted ascending: what the sketch approximates. */
function percentileOfSorted(sorted: Float64Array, p: number): number | null {
  if (sorted.length === 0) return null
  return sorted[Math.min(Math.max(1, Math.ceil(p * sorted.length)), sorted.length) - 1]
}

// Stats come from rollups (minute and hour cells, rows only at a range's edges). The oracle below is the way
// they were computed before (every row of the range read into JS): on the same rows both must agree exactly
// on counts and sums, and within the sketch's 1% on percentiles, whatever the range's alignment.

const HOUR = 3_600_000
const DAY = 24 * HOUR
const NOW = Date.now()

type Row = [
  bucket: string,
  group: string | null,
  status: number,
  input: number | null,
  output: number | null,
  cost: number | null,
  latency: number,
  ttft: number | null,
  cacheHit: number,
  saved: number | null,
  action: string | null,
  redacted: number,
]
const BUCKET_SQL = {
  '5m': `substr(created_at, 1, 14) || printf('%02d', CAST(substr(created_at, 15, 2) AS INTEGER) / 5 * 5) || ':00.000Z'`,
  hour: `substr(created_at, 1, 13) || ':00:00.000Z'`,
  day: `substr(created_at, 1, 10) || 'T00:00:00.000Z'`,
}
const GROUP_SQL = { model: 'model', provider: 'provider', key: 'key_name' }

function summarize(rows: Row[]): StatsSummary {
  const pct = (values: number[]) => {
    const sorted = Float64Array.from(values).sort()
    return {
      p50: percentileOfSorted(sorted, 0.5),
      p95: percentileOfSorted(sorted, 0.95),
      p99: percentileOfSorted(sorted, 0.99),
    }
  }
  const sum = (f: (r: Row) => number) => rows.reduce((s, r) => s + f(r), 0)
  return {
    requests: rows.length,
    errors: sum((r) => (r[2] >= 400 ? 1 : 0)),
    inputTokens: sum((r) => r[3] ?? 0),
    outputTokens: sum((r) => r[4] ?? 0),
    costUsd: sum((r) => r[5] ?? 0),
    latencyMs: pct(rows.map((r) => r[6])),
    ttftMs: pct(rows.flatMap((r) => (r[7] === null ? [] : [r[7]]))),
    cacheHits: sum((r) => r[8]),
    cacheSavedUsd: sum((r) => r[9] ?? 0),
    guardrailBlocked: sum((r) => (r[10] === 'block' ? 1 : 0)),
    guardrailFlagged: sum((r) => (r[10] === 'flag' ? 1 : 0)),
    redactedCalls: sum((r) => r[11]),
  }
}

/** The old computation: every row of the range, grouped in JS, exact percentiles. */
function oracle(db: Database.Database, q: StatsQuery): Omit<StatsResult, 'db'> {
  const rows = db
    .prepare(
      `SELECT ${BUCKET_SQL[q.bucket]}, ${q.groupBy ? GROUP_SQL[q.groupBy] : 'NULL'}, status, input_tokens,
         output_tokens, cost_usd, latency_ms, ttft_ms, is_cache_hit, cache_saved_usd, guardrail_action,
         redactions_json IS NOT NULL
       FROM request_logs WHERE created_at >= ? AND created_at < ?`,
    )
    .raw()
    .all(q.from, q.to) as Row[]
  const by = (key: (r: Row) => string) => {
    const m = new Map<string, Row[]>()
    for (const r of rows) {
      const k = key(r)
      const list = m.get(k)
      if (list) list.push(r)
      else m.set(k, [r])
    }
    return m
  }
  return {
    from: q.from,
    to: q.to,
    bucket: q.bucket,
    groupBy: q.groupBy ?? null,
    totals: summarize(rows),
    groups: [...by((r) => JSON.stringify(r[1]))].map(([g, rs]) => ({ group: JSON.parse(g), ...summarize(rs) })),
    series: [...by((r) => JSON.stringify([r[0], r[1]]))].map(([k, rs]) => ({
      bucket: JSON.parse(k)[0],
      group: JSON.parse(k)[1],
      ...summarize(rs),
    })),
    byGuardrail: db
      .prepare(
        `SELECT json_extract(h.value, '$.check') AS "check", json_extract(h.value, '$.stage') AS stage,
           json_extract(h.value, '$.action') AS action, count(*) AS count
         FROM request_logs, json_each(request_logs.guardrails_json) h
         WHERE created_at >= ? AND created_at < ? AND guardrails_json IS NOT NULL
         GROUP BY 1, 2, 3 ORDER BY count DESC, 1, 2, 3`,
      )
      .all(q.from, q.to) as StatsResult['byGuardrail'],
    byRedaction: db
      .prepare(
        `SELECT e.key AS type, sum(e.value) AS count FROM request_logs, json_each(request_logs.redactions_json) e
         WHERE created_at >= ? AND created_at < ? AND redactions_json IS NOT NULL GROUP BY 1 ORDER BY count DESC, 1`,
      )
      .all(q.from, q.to) as StatsResult['byRedaction'],
  }
}

function expectSame(got: StatsSummary, want: StatsSummary, where: string) {
  const { latencyMs, ttftMs, costUsd, cacheSavedUsd, ...counts } = want
  expect(got, where).toMatchObject(counts)
  expect(got.costUsd, where).toBeCloseTo(costUsd, 9)
  expect(got.cacheSavedUsd, where).toBeCloseTo(cacheSavedUsd, 9)
  for (const [name, exact] of [
    ['latencyMs', latencyMs],
    ['ttftMs', ttftMs],
  ] as const)
    for (const p of ['p50', 'p95', 'p99'] as const) {
      const v = got[name][p]
      if (exact[p] === null) expect(v, `${where} ${name}.${p}`).toBeNull()
      else expect(Math.abs(v! / exact[p]! - 1), `${where} ${name}.${p}: ${v} vs ${exact[p]}`).toBeLessThanOrEqual(0.01)
    }
}

describe('stats from rollups', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-rollups-'))
  let app: FastifyInstance
  let db: Database.Database

  beforeAll(async () => {
    // Rows over four days: the last two have minute cells, the older ones only hour cells.
    fillLog(dir, { rows: 8_000, days: 4, now: NOW, bodyBytes: 0, rareEvery: 5_000 })
    app = buildGateway(parseConfig('logs: { maxAgeDays: 36500 }', 'yaml'), { webRoot: false, dataDir: dir })
    await app.ready()
    // A few through the writer too, in the current minute.
    for (let i = 0; i < 30; i++)
      app.gateway.sink.push({
        requestId: `live_${i}`,
        startedAt: NOW - i * 1000,
        inboundApi: 'openai',
        requestedModel: 'gpt-4.1',
        model: 'gpt-4.1',
        provider: 'openai',
        keyName: i % 2 ? 'alice' : undefined,
        status: i % 7 ? 200 : 500,
        latencyMs: 100 + i * 13,
        ttftMs: i % 3 ? 20 + i : undefined,
        stream: i % 3 !== 0,
        attempts: 1,
        inputTokens: 100,
        outputTokens: 50,
        redactions: i % 5 ? undefined : { email: 1 },
      })
    app.requestLog.flush()
    db = new Database(join(dir, 'switchyard.db'), { readonly: true })
  })
  afterAll(async () => {
    db.close()
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const ranges: [string, number, number][] = [
    ['last hour', NOW - HOUR + 1, NOW + 1],
    ['last 24 h', NOW - DAY, NOW + 1],
    ['last 4 days', NOW - 4 * DAY - 7_777, NOW + 1],
    ['old, unaligned', NOW - 3 * DAY - 1_234_567, NOW - 2.5 * DAY + 98_765],
    ['aligned days', Math.floor(NOW / DAY) * DAY - 2 * DAY, Math.floor(NOW / DAY) * DAY],
    ['under a minute', NOW - 40_000, NOW - 10_000],
  ]
  for (const [name, from, to] of ranges)
    it(`agree with the row-by-row computation: ${name}`, async () => {
      // Five-minute buckets over days are many thousands of points: the Overview asks for them over an hour.
      const buckets = to - from <= DAY ? (['5m', 'hour', 'day'] as const) : (['hour', 'day'] as const)
      for (const bucket of buckets)
        for (const groupBy of [undefined, 'model', 'provider', 'key'] as const) {
          const q: StatsQuery = { from: new Date(from).toISOString(), to: new Date(to).toISOString(), bucket, groupBy }
          const res = await app.inject({
            url: `/admin/v1/stats?from=${q.from}&to=${q.to}&bucket=${bucket}${groupBy ? `&groupBy=${groupBy}` : ''}`,
            headers: adminHeadersOf(app),
          })
          expect(res.statusCode).toBe(200)
          const got = res.json() as StatsResult
          const want = oracle(db, q)
          const where = `${name} ${bucket} ${groupBy ?? ''}`
          expectSame(got.totals, want.totals, where)
          const byGroup = (g: { group: string | null }) => g.group ?? ''
          expect(got.groups.map(byGroup).sort(), where).toEqual(want.groups.map(byGroup).sort())
          for (const g of want.groups)
            expectSame(got.groups.find((x) => x.group === g.group)!, g, `${where} ${g.group}`)
          const point = (p: { bucket: string; group: string | null }) => `${p.bucket} ${p.group}`
          // The series' order (time, then group) is part of the contract.
          const inOrder = [...want.series].sort(
            (a, b) =>
              (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : 0) || (a.group ?? '').localeCompare(b.group ?? ''),
          )
          expect(got.series.map(point), where).toEqual(inOrder.map(point))
          for (const p of want.series)
            expectSame(got.series.find((x) => point(x) === point(p))!, p, `${where} ${point(p)}`)
          expect(got.byGuardrail, where).toEqual(want.byGuardrail)
          expect(got.byRedaction, where).toEqual(want.byRedaction)
        }
    })

  it('reports the row count without counting the table', async () => {
    const res = await app.inject({ url: '/admin/v1/stats?bucket=day', headers: adminHeadersOf(app) })
    expect(res.json().db.rows).toBe(8_030)
  })
})
