import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore, type StoreApi } from 'zustand/vanilla'
import type { KeyItem, StatsResult } from '../../../src-shared/admin-api'
import { adminApi } from '../api/admin'
import { ApiError } from '../api/client'
import { type BudgetsSlice, createBudgetsSlice } from './budgets-slice'

vi.mock('../api/admin', () => ({ adminApi: { stats: vi.fn() } }))
const api = vi.mocked(adminApi)

const NOW = Date.parse('2026-01-15T12:30:00.000Z')
const MONTH = { periodStart: '2026-01-01T00:00:00.000Z', periodEnd: '2026-02-01T00:00:00.000Z' }
const key = (name: string, budget: Partial<NonNullable<KeyItem['budget']>> = {}): KeyItem => ({
  name,
  key: null,
  budget: { usd: 5, period: 'month', onExceed: 'block', spentUsd: 1, ...MONTH, ...budget },
})
const stats = (group: string, costUsd: number) =>
  ({ series: [{ bucket: '2026-01-14T00:00:00.000Z', group, costUsd }] }) as unknown as StatsResult

describe('budgets slice', () => {
  let store: StoreApi<BudgetsSlice>
  beforeEach(() => {
    vi.resetAllMocks()
    store = createStore<BudgetsSlice>()(createBudgetsSlice)
  })

  it('asks once per distinct period, grouped by key, and charts only budgeted keys', async () => {
    api.stats.mockImplementation(async (q) => stats(q.bucket === 'hour' ? 'daily' : 'ci', 1))
    const keys = [
      key('ci'),
      key('team'),
      { name: 'open', key: null },
      key('daily', { period: 'day', periodStart: '2026-01-15T00:00:00.000Z', periodEnd: '2026-01-16T00:00:00.000Z' }),
    ]
    await store.getState().loadBudgetCharts(keys, NOW)
    expect(api.stats).toHaveBeenCalledTimes(2)
    expect(api.stats).toHaveBeenCalledWith({
      ...{ from: MONTH.periodStart, to: MONTH.periodEnd },
      bucket: 'day',
      groupBy: 'key',
    })
    expect(api.stats).toHaveBeenCalledWith({
      from: '2026-01-15T00:00:00.000Z',
      to: '2026-01-16T00:00:00.000Z',
      bucket: 'hour',
      groupBy: 'key',
    })
    const charts = store.getState().budgetCharts!
    expect(charts.map((c) => [c.key, c.bucket, c.rows.length])).toEqual([
      ['ci', 'day', 31],
      ['team', 'day', 31],
      ['daily', 'hour', 24],
    ])
    expect(charts[0].rows[13]).toMatchObject({ spent: 1 })
    expect(charts[1].rows[13]).toMatchObject({ spent: 0 })
  })

  it('keeps the last charts when a reload fails', async () => {
    api.stats.mockResolvedValueOnce(stats('ci', 1))
    await store.getState().loadBudgetCharts([key('ci')], NOW)
    api.stats.mockRejectedValueOnce(new ApiError(503, 'the database is not open'))
    await store.getState().loadBudgetCharts([key('ci')], NOW)
    expect(store.getState()).toMatchObject({
      budgetChartsLoading: false,
      budgetChartsError: 'the database is not open (HTTP 503)',
    })
    expect(store.getState().budgetCharts).toHaveLength(1)
  })
})
