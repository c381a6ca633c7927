import { describe, expect, it } from 'vitest'
import type { KeyItem, StatsResult } from '../../../src-shared/admin-api'
import { budgetChart, budgetRange, budgetTicks } from './budget-series'

const NOW = Date.parse('2026-01-15T12:30:00.000Z')
const day = (d: number) => Date.parse(`2026-01-${String(d).padStart(2, '0')}T00:00:00.000Z`)

const key = (budget: Partial<NonNullable<KeyItem['budget']>>): KeyItem => ({
  name: 'ci',
  key: 'sy-…abcd',
  budget: { usd: 10, period: 'month', onExceed: 'block', spentUsd: 0, percentUsed: 0, alertLevel: 0, ...budget },
})

const stats = (points: [bucket: string, group: string | null, costUsd: number][]): StatsResult =>
  ({ series: points.map(([bucket, group, costUsd]) => ({ bucket, group, costUsd })) }) as unknown as StatsResult

describe('budget ranges', () => {
  it('covers the whole period: a month in days, a day in hours, a total budget as its last 30 days', () => {
    const month = key({ periodStart: '2026-01-01T00:00:00.000Z', periodEnd: '2026-02-01T00:00:00.000Z' }).budget!
    expect(budgetRange(month, NOW)).toEqual({ from: month.periodStart, to: month.periodEnd, bucket: 'day' })
    const today = key({ period: 'day', periodStart: '2026-01-15T00:00:00.000Z', periodEnd: '2026-01-16T00:00:00.000Z' })
    expect(budgetRange(today.budget!, NOW).bucket).toBe('hour')
    const total = key({ period: 'total', periodStart: '1970-01-01T00:00:00.000Z', periodEnd: null }).budget!
    expect(budgetRange(total, NOW)).toEqual({
      from: '2025-12-17T00:00:00.000Z',
      to: '2026-01-16T00:00:00.000Z',
      bucket: 'day',
    })
  })
})

describe('budget charts', () => {
  it('stacks the spend so far under each day, this key only, and leaves days to come empty', () => {
    const k = key({
      spentUsd: 3.5,
      percentUsed: 35,
      periodStart: '2026-01-01T00:00:00.000Z',
      periodEnd: '2026-02-01T00:00:00.000Z',
    })
    const chart = budgetChart(
      k,
      stats([
        ['2026-01-02T00:00:00.000Z', 'ci', 1],
        ['2026-01-02T00:00:00.000Z', 'other', 50],
        ['2026-01-15T00:00:00.000Z', 'ci', 2.5],
      ]),
      NOW,
    )!
    expect(chart.rows).toHaveLength(31)
    expect(chart.rows.slice(0, 3)).toEqual([
      { t: day(1), earlier: 0, spent: 0 },
      { t: day(2), earlier: 0, spent: 1 },
      { t: day(3), earlier: 1, spent: 0 },
    ])
    expect(chart.rows[14]).toEqual({ t: day(15), earlier: 1, spent: 2.5 })
    expect(chart.rows[15]).toEqual({ t: day(16), earlier: null, spent: null })
    expect(chart).toMatchObject({ key: 'ci', usd: 10, spentUsd: 3.5, percentUsed: 35, bucket: 'day' })
  })

  it('puts a total budget’s earlier spend under the first bar, so the last bar ends at the total', () => {
    const chart = budgetChart(
      key({ period: 'total', spentUsd: 7, periodStart: '1970-01-01T00:00:00.000Z', periodEnd: null }),
      stats([['2026-01-10T00:00:00.000Z', 'ci', 2]]),
      NOW,
    )!
    expect(chart.rows[0]).toEqual({ t: Date.parse('2025-12-17T00:00:00.000Z'), earlier: 5, spent: 0 })
    const last = chart.rows.at(-1)!
    expect(last.earlier! + last.spent!).toBe(7)
  })

  it('draws nothing for a key without a budget', () => {
    expect(budgetChart({ name: 'free', key: null }, undefined, NOW)).toBeNull()
  })
})

describe('budget axis ticks', () => {
  it('steps roundly from 0 to just past the top', () => {
    expect(budgetTicks(2.625)).toEqual([0, 1, 2, 3])
    expect(budgetTicks(10.5)).toEqual([0, 5, 10, 15])
    expect(budgetTicks(0.42)).toEqual([0, 0.2, 0.4, 0.6])
    expect(budgetTicks(0)).toEqual([0, 1])
  })
})
