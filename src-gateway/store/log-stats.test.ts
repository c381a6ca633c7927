import { describe, expect, it } from 'vitest'
import { openDatabase } from './db.js'
import { computeStats, type Percentiles } from './log-stats.js'

/** Percentiles come from the rollups' sketch: each within 1% of the exact nearest-rank value. */
function expectNear(actual: Percentiles, exact: { p50: number | null; p95: number | null }) {
  for (const p of ['p50', 'p95'] as const) {
    if (exact[p] === null) expect(actual[p]).toBeNull()
    else expect(Math.abs(actual[p]! / exact[p]! - 1)).toBeLessThanOrEqual(0.01)
  }
}

describe('computeStats', () => {
  it('totals, groups and buckets rows, with nearest-rank p50/p95 per bucket', async () => {
    const db = openDatabase(':memory:')
    const insert = db.prepare(
      `INSERT INTO request_logs (created_at, request_id, inbound_api, model, status, latency_ms, ttft_ms,
         input_tokens, output_tokens, cost_usd) VALUES (?, 'r', 'openai', ?, ?, ?, ?, ?, ?, ?)`,
    )
    // Hour 10: 20 rows of model a with latencies 1..20. Hour 11: 2 rows of model b, one an error.
    for (let i = 1; i <= 20; i++)
      insert.run(`2025-01-01T10:${String(i).padStart(2, '0')}:00.000Z`, 'a', 200, i, i / 2, 10, 5, 0.01)
    insert.run('2025-01-01T11:00:00.000Z', 'b', 200, 100, null, 1, 1, null)
    insert.run('2025-01-01T11:30:00.000Z', 'b', 502, 300, null, null, null, null)
    insert.run('2025-01-02T11:30:00.000Z', 'b', 200, 5, null, 1, 1, 1) // outside the range

    const s = await computeStats(db, {
      from: '2025-01-01T00:00:00.000Z',
      to: '2025-01-02T00:00:00.000Z',
      bucket: 'hour',
      groupBy: 'model',
    })
    expect(s.totals).toMatchObject({ requests: 22, errors: 1, inputTokens: 201, outputTokens: 101 })
    expect(s.totals.costUsd).toBeCloseTo(0.2)
    expectNear(s.totals.latencyMs, { p50: 11, p95: 100 })
    expect(s.groups.map((g) => [g.group, g.requests])).toEqual([
      ['a', 20],
      ['b', 2],
    ])
    expect(s.series.map((p) => [p.bucket, p.group, p.requests])).toEqual([
      ['2025-01-01T10:00:00.000Z', 'a', 20],
      ['2025-01-01T11:00:00.000Z', 'b', 2],
    ])
    expectNear(s.series[0].latencyMs, { p50: 10, p95: 19 })
    expectNear(s.series[0].ttftMs, { p50: 5, p95: 9.5 })
    expect(s.series[1].ttftMs).toEqual({ p50: null, p95: null, p99: null })
    expect(s.db.rows).toBe(23)

    const byDay = await computeStats(db, {
      from: '2025-01-01T00:00:00.000Z',
      to: '2025-01-03T00:00:00.000Z',
      bucket: 'day',
    })
    expect(byDay.series.map((p) => [p.bucket, p.group, p.requests])).toEqual([
      ['2025-01-01T00:00:00.000Z', null, 22],
      ['2025-01-02T00:00:00.000Z', null, 1],
    ])
    db.close()
  })

  it('counts cache hits and what they saved, guardrail outcomes and redactions, per bucket and per check', async () => {
    const db = openDatabase(':memory:')
    const insert = db.prepare(
      `INSERT INTO request_logs (created_at, request_id, inbound_api, status, latency_ms, cost_usd, is_cache_hit,
         cache_saved_usd, guardrails_json, guardrail_action, redactions_json)
       VALUES (?, 'r', 'openai', ?, 1, ?, ?, ?, ?, ?, ?)`,
    )
    const hit = (check: string, stage: string, action: string) =>
      ({ stage, type: 'blocked_patterns', check, action, detail: 'matched' }) as const
    const json = (v: unknown) => JSON.stringify(v)
    insert.run('2025-01-01T10:00:00.000Z', 200, 0.5, 0, null, null, null, null)
    insert.run('2025-01-01T10:10:00.000Z', 200, 0, 1, 0.25, null, null, json({ email: 2 }))
    insert.run('2025-01-01T10:20:00.000Z', 200, 0, 1, null, null, null, null) // a hit with no known price
    insert.run(
      '2025-01-01T11:00:00.000Z',
      400,
      null,
      0,
      null,
      json([hit('secrets', 'input', 'flag'), hit('passwords', 'input', 'block')]),
      'block',
      json({ email: 1, credit_card: 1 }),
    )
    insert.run('2025-01-01T11:10:00.000Z', 200, 0.5, 0, null, json([hit('secrets', 'input', 'flag')]), 'flag', null)
    insert.run('2025-01-01T11:20:00.000Z', 200, 0.5, 0, null, json([hit('tone', 'output', 'log')]), 'log', null)
    insert.run('2025-01-02T10:00:00.000Z', 200, 0, 1, 9, json([hit('secrets', 'input', 'flag')]), 'flag', null)

    const s = await computeStats(db, {
      from: '2025-01-01T00:00:00.000Z',
      to: '2025-01-02T00:00:00.000Z',
      bucket: 'hour',
    })
    expect(s.totals).toMatchObject({
      requests: 6,
      cacheHits: 2,
      cacheSavedUsd: 0.25,
      guardrailBlocked: 1,
      guardrailFlagged: 1,
      redactedCalls: 2,
    })
    expect(s.totals.costUsd).toBeCloseTo(1.5)
    expect(s.series.map((p) => [p.cacheHits, p.guardrailBlocked, p.guardrailFlagged, p.redactedCalls])).toEqual([
      [2, 0, 0, 1],
      [0, 1, 1, 1],
    ])
    expect(s.byGuardrail).toEqual([
      { check: 'secrets', stage: 'input', action: 'flag', count: 2 },
      { check: 'passwords', stage: 'input', action: 'block', count: 1 },
      { check: 'tone', stage: 'output', action: 'log', count: 1 },
    ])
    expect(s.byRedaction).toEqual([
      { type: 'email', count: 3 },
      { type: 'credit_card', count: 1 },
    ])

    const empty = await computeStats(db, {
      from: '2024-01-01T00:00:00.000Z',
      to: '2024-01-02T00:00:00.000Z',
      bucket: 'day',
    })
    expect(empty.totals).toMatchObject({ cacheHits: 0, cacheSavedUsd: 0, guardrailBlocked: 0, redactedCalls: 0 })
    expect(empty.byGuardrail).toEqual([])
    expect(empty.byRedaction).toEqual([])
    db.close()
  })
})

describe('stats over history older than the hour cells', () => {
  it('reads day cells once the hour cells are gone, with the same totals, groups and percentiles', async () => {
    const db = openDatabase(':memory:')
    const insert = db.prepare(
      `INSERT INTO request_logs (created_at, request_id, inbound_api, model, status, latency_ms, ttft_ms, input_tokens)
       VALUES (?, 'r', 'openai', ?, ?, ?, ?, 7)`,
    )
    const DAY = 86_400_000
    const T = Math.floor(Date.now() / DAY) * DAY - 4 * DAY
    for (let i = 0; i < 3 * 24 * 6; i++)
      insert.run(
        new Date(T + i * 600_000).toISOString(),
        i % 3 ? 'a' : 'b',
        i % 10 ? 200 : 500,
        10 + i,
        i % 2 ? i : null,
      )
    const q = { from: new Date(T).toISOString(), to: new Date(T + 3 * DAY).toISOString(), bucket: 'day' as const }
    const fresh = await computeStats(db, { ...q, groupBy: 'model' })
    // Day cells are written with the hour cells, not only when the hour cells expire.
    expect(db.prepare("SELECT count(*) FROM log_rollup_days WHERE dim = 'all'").pluck().get()).toBe(3)
    const hourly = await computeStats(db, { ...q, bucket: 'hour', groupBy: 'model' })
    expect(hourly.totals).toEqual(fresh.totals)
    expect(hourly.groups).toEqual(fresh.groups)

    const later = Date.now() + 100 * DAY
    const old = await computeStats(db, { ...q, groupBy: 'model' }, later)
    expect(db.prepare('SELECT count(*) FROM log_rollup_hours').pluck().get()).toBe(0)
    expect(db.prepare("SELECT count(*) FROM log_rollup_days WHERE dim = 'all'").pluck().get()).toBe(3)
    expect(old.totals).toEqual(fresh.totals)
    expect(old.groups).toEqual(fresh.groups)
    expect(old.series).toEqual(fresh.series)
    expect(fresh.totals).toMatchObject({ requests: 432, errors: 44, inputTokens: 432 * 7 })
    db.close()
  })
})
