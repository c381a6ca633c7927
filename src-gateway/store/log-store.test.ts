import { beforeAll, expect, it } from 'vitest'
import type { LogPage } from '../../src-shared/contract/logs.js'
import { forEachBackend } from '../../test/helpers/backends.js'
import type { LogEvent } from '../core/log-event.js'
import type { Percentiles, StatsResult } from './log-stats.js'

// The LogStore contract, one body for both backends (decision P5): the same events through each backend's own
// writer answer the same stats, pages, detail and spend. Ported from log-stats.test.ts's first case, which read
// SQLite directly.

/** Percentiles come from the rollups' sketch: each within 1% of the exact nearest-rank value. */
function expectNear(actual: Percentiles, exact: { p50: number | null; p95: number | null }) {
  for (const p of ['p50', 'p95'] as const) {
    if (exact[p] === null) expect(actual[p]).toBeNull()
    else expect(Math.abs(actual[p]! / exact[p]! - 1)).toBeLessThanOrEqual(0.01)
  }
}

const at = (iso: string) => Date.parse(iso)
const event = (n: number, over: Partial<LogEvent>): LogEvent => ({
  requestId: `req-${n}`,
  startedAt: at('2025-01-01T10:00:00.000Z'),
  inboundApi: 'openai',
  requestedModel: 'a',
  model: 'a',
  provider: 'local',
  status: 200,
  latencyMs: 1,
  stream: false,
  attempts: 1,
  ...over,
})

// Hour 10: 20 rows of model a with latencies 1..20. Hour 11: 2 rows of model b, one an error. A day later: one more.
const EVENTS: LogEvent[] = [
  ...Array.from({ length: 20 }, (_, k) =>
    event(k + 1, {
      startedAt: at(`2025-01-01T10:${String(k + 1).padStart(2, '0')}:00.000Z`),
      latencyMs: k + 1,
      ttftMs: (k + 1) / 2,
      inputTokens: 10,
      outputTokens: 5,
      keyName: 'team-a',
    }),
  ),
  event(21, { startedAt: at('2025-01-01T11:00:00.000Z'), model: 'b', latencyMs: 100, inputTokens: 1, outputTokens: 1 }),
  event(22, {
    startedAt: at('2025-01-01T11:30:00.000Z'),
    model: 'b',
    status: 502,
    latencyMs: 300,
    error: 'bad gateway',
  }),
  event(23, { startedAt: at('2025-01-02T11:30:00.000Z'), model: 'b', latencyMs: 5, inputTokens: 1, outputTokens: 1 }),
]

forEachBackend('LogStore', (backend) => {
  beforeAll(async () => {
    await backend.add(EVENTS)
  })

  it('totals, groups and buckets rows, with nearest-rank p50/p95 per bucket', async () => {
    const now = at('2025-01-05T00:00:00.000Z')
    const s = JSON.parse(
      await backend.store.report({
        kind: 'stats',
        query: { from: '2025-01-01T00:00:00.000Z', to: '2025-01-02T00:00:00.000Z', bucket: 'hour', groupBy: 'model' },
        now,
      }),
    ) as StatsResult
    expect(s.totals).toMatchObject({ requests: 22, errors: 1, inputTokens: 201, outputTokens: 101 })
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

    const byDay = JSON.parse(
      await backend.store.report({
        kind: 'stats',
        query: { from: '2025-01-01T00:00:00.000Z', to: '2025-01-03T00:00:00.000Z', bucket: 'day' },
        now,
      }),
    ) as StatsResult
    expect(byDay.series.map((p) => [p.bucket, p.group, p.requests])).toEqual([
      ['2025-01-01T00:00:00.000Z', null, 22],
      ['2025-01-02T00:00:00.000Z', null, 1],
    ])
  })

  it('pages the log newest first, finds a row by id and by search, and sums a key’s spend since a time', async () => {
    const page = JSON.parse(await backend.store.report({ kind: 'logs', filter: {}, page: { limit: 5 } })) as LogPage
    expect(page.total).toBe(23)
    expect(page.items.map((i) => i.requestId)).toEqual(['req-23', 'req-22', 'req-21', 'req-20', 'req-19'])
    const next = JSON.parse(
      await backend.store.report({ kind: 'logs', filter: {}, page: { limit: 5, cursor: Number(page.nextCursor) } }),
    ) as LogPage
    expect(next.items[0].requestId).toBe('req-18')

    const detail = await backend.store.getLog(page.items[1].id)
    expect(detail).toMatchObject({ requestId: 'req-22', status: 502, error: 'bad gateway' })
    expect(await backend.store.getLog(999_999)).toBeUndefined()

    const found = JSON.parse(
      await backend.store.report({ kind: 'logs', filter: { q: 'gateway' }, page: { limit: 5 } }),
    ) as LogPage
    expect(found.items.map((i) => i.requestId)).toEqual(['req-22'])

    const batches: string[][] = []
    for await (const b of backend.store.batches({ model: 'b' }, 2)) batches.push(b.map((i) => i.requestId))
    expect(batches).toEqual([['req-23', 'req-22'], ['req-21']])

    expect(await backend.store.spendSince('key', 'team-a', at('2025-01-01T00:00:00.000Z'))).toBe(0)
    expect(await backend.store.spendSince('key', 'nobody', 0)).toBe(0)
  })

  it('says whether a call is logged in given workspaces, and groups a prompt’s calls by arm with their thumbs', async () => {
    const feb = at('2025-02-01T10:00:00.000Z')
    await backend.add([
      event(101, { startedAt: feb, workspace: 'research', promptName: 'greet', promptVersion: 1, latencyMs: 10 }),
      event(102, { startedAt: feb + 1, promptName: 'greet', promptVersion: 2, promptArm: 'prod:v2', latencyMs: 30 }),
      event(103, { startedAt: feb + 2, promptName: 'greet', promptVersion: 2, promptArm: 'prod:v2', status: 500 }),
      event(104, { startedAt: feb + 3, promptName: 'other', promptVersion: 1 }),
    ])
    expect(await backend.store.loggedIn('req-101', ['research', 'ops'])).toBe(true)
    expect(await backend.store.loggedIn('req-101', ['ops'])).toBe(false)
    expect(await backend.store.loggedIn('req-102', ['research'])).toBe(false)

    const arms = await backend.store.promptArmStats('greet', undefined)
    // No feedback here: the thumbs joined from the same database are tested in store/pg/prompt-stores.test.ts.
    expect(arms.map(({ costUsd: _cost, ...rest }) => rest)).toEqual([
      { arm: null, version: 1, requests: 1, errors: 0, meanLatencyMs: 10, thumbsUp: 0, thumbsDown: 0 },
      { arm: 'prod:v2', version: 2, requests: 2, errors: 1, meanLatencyMs: 15.5, thumbsUp: 0, thumbsDown: 0 },
    ])
    expect((await backend.store.promptArmStats('greet', 'prod')).map((a) => a.arm)).toEqual(['prod:v2'])
  })
})
