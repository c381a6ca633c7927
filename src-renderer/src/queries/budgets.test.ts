import { QueryClient } from '@tanstack/react-query'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { KeyItem, StatsResult } from '../../../src-shared/admin-api'
import { adminApi } from '../api/admin'
import { ApiError } from '../api/client'
import { budgetChartsQuery } from './budgets'

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

describe('budget charts query', () => {
  let client: QueryClient
  beforeEach(() => {
    vi.resetAllMocks()
    client = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  })

  it('asks once per distinct period, grouped by key, and charts only budgeted keys', async () => {
    api.stats.mockImplementation(async (q) => stats(q.bucket === 'hour' ? 'daily' : 'ci', 1))
    const keys = [
      key('ci'),
      key('team'),
      { name: 'open', key: null },
      key('daily', { period: 'day', periodStart: '2026-01-15T00:00:00.000Z', periodEnd: '2026-01-16T00:00:00.000Z' }),
    ]
    const charts = await client.fetchQuery(budgetChartsQuery(keys, () => NOW))
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
    expect(charts.map((c) => [c.key, c.bucket, c.rows.length])).toEqual([
      ['ci', 'day', 31],
      ['team', 'day', 31],
      ['daily', 'hour', 24],
    ])
    expect(charts[0].rows[13]).toMatchObject({ spent: 1 })
    expect(charts[1].rows[13]).toMatchObject({ spent: 0 })
  })

  it('keeps the last charts beside the error when a reload fails', async () => {
    const query = budgetChartsQuery([key('ci')], () => NOW)
    api.stats.mockResolvedValueOnce(stats('ci', 1))
    await client.fetchQuery(query)
    api.stats.mockRejectedValueOnce(new ApiError(503, 'the database is not open'))
    await client.refetchQueries({ queryKey: query.queryKey })
    const state = client.getQueryState(query.queryKey)
    expect(state?.data).toHaveLength(1)
    expect(state?.error).toMatchObject({ message: 'the database is not open', status: 503 })
  })

  it('is another query once a budget changes, so an edited budget is charted again', () => {
    const before = budgetChartsQuery([key('ci'), { name: 'open', key: null }]).queryKey
    expect(budgetChartsQuery([key('ci')]).queryKey).toEqual(before)
    expect(budgetChartsQuery([key('ci', { usd: 9 })]).queryKey).not.toEqual(before)
  })
})
