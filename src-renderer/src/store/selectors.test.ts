import { describe, expect, it } from 'vitest'
import type { StatsResult, StatsSummary } from '../../../src-shared/admin-api'
import {
  bucketStarts,
  cacheRows,
  changeRatio,
  latencyRows,
  localCloudShare,
  OTHER_SERIES,
  stackedSeries,
  topModelsByCost,
} from './selectors'

function summary(p: Partial<StatsSummary> = {}): StatsSummary {
  return {
    requests: 0,
    errors: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    latencyMs: { p50: null, p95: null, p99: null },
    ttftMs: { p50: null, p95: null, p99: null },
    cacheHits: 0,
    cacheSavedUsd: 0,
    guardrailBlocked: 0,
    guardrailFlagged: 0,
    redactedCalls: 0,
    ...p,
  }
}

function stats(p: Partial<StatsResult>): StatsResult {
  return {
    from: '2026-11-25T08:30:00.000Z',
    to: '2026-11-25T11:30:00.000Z',
    bucket: 'hour',
    groupBy: 'model',
    totals: summary(),
    groups: [],
    series: [],
    byGuardrail: [],
    byRedaction: [],
    db: { sizeBytes: 0, usedBytes: 0, rows: 0 },
    ...p,
  }
}

describe('bucketStarts', () => {
  it('covers the range with UTC-aligned buckets, the first one holding `from`', () => {
    const b = bucketStarts('2026-11-25T08:30:00.000Z', '2026-11-25T11:30:00.000Z', 'hour')
    expect(b.map((t) => new Date(t).toISOString())).toEqual([
      '2026-11-25T08:00:00.000Z',
      '2026-11-25T09:00:00.000Z',
      '2026-11-25T10:00:00.000Z',
      '2026-11-25T11:00:00.000Z',
    ])
  })
})

describe('bucketStarts in 5 minutes', () => {
  it('cuts the last hour into 5-minute buckets, not two partial hours', () => {
    const b = bucketStarts('2026-11-25T11:00:00.000Z', '2026-11-25T12:00:00.000Z', '5m')
    expect(b).toHaveLength(12)
    expect(new Date(b[1]).toISOString()).toBe('2026-11-25T11:05:00.000Z')
  })
})

describe('stackedSeries', () => {
  it('zero-fills empty buckets and keeps totals equal to the groups', () => {
    const s = stats({
      groups: [
        { group: 'a', ...summary({ requests: 3 }) },
        { group: 'b', ...summary({ requests: 1 }) },
      ],
      series: [
        { bucket: '2026-11-25T09:00:00.000Z', group: 'a', ...summary({ requests: 2 }) },
        { bucket: '2026-11-25T11:00:00.000Z', group: 'a', ...summary({ requests: 1 }) },
        { bucket: '2026-11-25T11:00:00.000Z', group: 'b', ...summary({ requests: 1 }) },
      ],
    })
    const { rows, keys } = stackedSeries(s, 'requests')
    expect(keys).toEqual(['a', 'b'])
    expect(rows.map((r) => r.values)).toEqual([
      { a: 0, b: 0 },
      { a: 2, b: 0 },
      { a: 0, b: 0 },
      { a: 1, b: 1 },
    ])
    const total = rows.reduce((n, r) => n + r.values.a + r.values.b, 0)
    expect(total).toBe(4)
  })

  it('folds groups beyond the top six into `other`, and names the no-key group', () => {
    const names = ['g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7']
    const s = stats({
      groupBy: 'key',
      groups: [...names.map((g, i) => ({ group: g, ...summary({ costUsd: 10 - i }) })), { group: null, ...summary() }],
      series: names.map((g, i) => ({ bucket: '2026-11-25T10:00:00.000Z', group: g, ...summary({ costUsd: 10 - i }) })),
    })
    const { keys, rows } = stackedSeries(s, 'costUsd')
    expect(keys).toEqual(['g1', 'g2', 'g3', 'g4', 'g5', OTHER_SERIES])
    expect(rows[2].values[OTHER_SERIES]).toBe(5 + 4)
  })
})

describe('stackedSeries ranked by another metric', () => {
  it('keeps the series of the ranking metric, so charts side by side show the same groups', () => {
    const s = stats({
      groups: [
        { group: 'busy', ...summary({ requests: 9, costUsd: 0 }) },
        { group: 'pricey', ...summary({ requests: 1, costUsd: 5 }) },
      ],
      series: [{ bucket: '2026-11-25T10:00:00.000Z', group: 'pricey', ...summary({ requests: 1, costUsd: 5 }) }],
    })
    const { keys, rows } = stackedSeries(s, 'costUsd', 'requests')
    expect(keys).toEqual(['busy', 'pricey'])
    expect(rows[2].values).toEqual({ busy: 0, pricey: 5 })
  })
})

describe('latencyRows', () => {
  it('leaves buckets without requests as gaps (null), not zero', () => {
    const s = stats({
      groupBy: null,
      series: [
        {
          bucket: '2026-11-25T10:00:00.000Z',
          group: null,
          ...summary({
            requests: 1,
            latencyMs: { p50: 100, p95: 200, p99: 250 },
            ttftMs: { p50: 40, p95: 50, p99: 60 },
          }),
        },
      ],
    })
    const rows = latencyRows(s)
    expect(rows).toHaveLength(4)
    expect(rows[2]).toMatchObject({ p50: 100, p95: 200, ttft: 40 })
    expect(rows[0]).toMatchObject({ p50: null, p95: null, ttft: null })
  })
})

describe('cacheRows', () => {
  it('gives the saving per bucket (zero when none) and the hit rate (a gap without requests)', () => {
    const s = stats({
      groupBy: null,
      series: [
        {
          bucket: '2026-11-25T09:00:00.000Z',
          group: null,
          ...summary({ requests: 4, cacheHits: 1, cacheSavedUsd: 0.02 }),
        },
        { bucket: '2026-11-25T10:00:00.000Z', group: null, ...summary({ requests: 2 }) },
      ],
    })
    expect(cacheRows(s).map((r) => [r.savedUsd, r.hitRate])).toEqual([
      [0, null],
      [0.02, 0.25],
      [0, 0],
      [0, null],
    ])
  })
})

describe('topModelsByCost', () => {
  it('orders by cost, then requests, then name', () => {
    const s = stats({
      groups: [
        { group: 'cheap', ...summary({ requests: 9, costUsd: 0.01 }) },
        { group: 'dear', ...summary({ requests: 1, costUsd: 2, inputTokens: 5, outputTokens: 7 }) },
        { group: 'free', ...summary({ requests: 4 }) },
      ],
    })
    expect(topModelsByCost(s).map((m) => m.model)).toEqual(['dear', 'cheap', 'free'])
    expect(topModelsByCost(s)[0].tokens).toBe(12)
  })
})

describe('localCloudShare', () => {
  it('splits by the providers that run locally, leaving out requests no provider served', () => {
    const s = stats({
      groupBy: 'provider',
      groups: [
        { group: 'ollama', ...summary({ requests: 3, inputTokens: 10 }) },
        { group: 'openai', ...summary({ requests: 1, inputTokens: 5 }) },
        { group: null, ...summary({ requests: 2 }) },
      ],
    })
    expect(localCloudShare(s, ['ollama'], 'requests')).toEqual({ local: 3, cloud: 1 })
    expect(localCloudShare(s, ['ollama'], 'tokens')).toEqual({ local: 10, cloud: 5 })
  })
})

describe('changeRatio', () => {
  it('is null when the previous period had nothing', () => {
    expect(changeRatio(5, 0)).toBeNull()
    expect(changeRatio(15, 10)).toBeCloseTo(0.5)
  })
})
