import { describe, expect, it } from 'vitest'
import { openDatabase } from './db.js'
import { computeStats } from './log-stats.js'

describe('computeStats', () => {
  it('totals, groups and buckets rows, with nearest-rank p50/p95 per bucket', () => {
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

    const s = computeStats(db, {
      from: '2025-01-01T00:00:00.000Z',
      to: '2025-01-02T00:00:00.000Z',
      bucket: 'hour',
      groupBy: 'model',
    })
    expect(s.totals).toMatchObject({ requests: 22, errors: 1, inputTokens: 201, outputTokens: 101 })
    expect(s.totals.costUsd).toBeCloseTo(0.2)
    expect(s.totals.latencyMs).toEqual({ p50: 11, p95: 100 })
    expect(s.groups.map((g) => [g.group, g.requests])).toEqual([
      ['a', 20],
      ['b', 2],
    ])
    expect(s.series.map((p) => [p.bucket, p.group, p.requests])).toEqual([
      ['2025-01-01T10:00:00.000Z', 'a', 20],
      ['2025-01-01T11:00:00.000Z', 'b', 2],
    ])
    expect(s.series[0].latencyMs).toEqual({ p50: 10, p95: 19 })
    expect(s.series[0].ttftMs).toEqual({ p50: 5, p95: 9.5 })
    expect(s.series[1].ttftMs).toEqual({ p50: null, p95: null })
    expect(s.db.rows).toBe(23)

    const byDay = computeStats(db, { from: '2025-01-01T00:00:00.000Z', to: '2025-01-03T00:00:00.000Z', bucket: 'day' })
    expect(byDay.series.map((p) => [p.bucket, p.group, p.requests])).toEqual([
      ['2025-01-01T00:00:00.000Z', null, 22],
      ['2025-01-02T00:00:00.000Z', null, 1],
    ])
    db.close()
  })
})
