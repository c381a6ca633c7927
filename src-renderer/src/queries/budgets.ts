import { keepPreviousData, queryOptions } from '@tanstack/react-query'
import type { KeyItem, StatsResult } from '../../../src-shared/admin-api'
import { adminApi } from '../api/admin'
import { type BudgetChart, budgetChart, budgetRange, rangeId } from '../store/budget-series'

/** The keys with a budget, as the charts' key names them: a budget edited elsewhere is another query. */
const budgeted = (keys: KeyItem[]) => keys.filter((k) => k.budget)

export const budgetChartsKey = (keys: KeyItem[]) =>
  ['budgets', 'charts', budgeted(keys).map((k) => [k.name, k.budget])] as const

/**
 * One chart per key with a budget, in the keys' order: the spend per key of every budget's current period,
 * one stats query per distinct period. While other keys' charts load, the last set stays on screen.
 */
export const budgetChartsQuery = (keys: KeyItem[], now: () => number = Date.now) =>
  queryOptions({
    queryKey: budgetChartsKey(keys),
    queryFn: async (): Promise<BudgetChart[]> => {
      const at = now()
      const withBudget = budgeted(keys)
      const ranges = new Map(withBudget.map((k) => [k.name, budgetRange(k.budget!, at)]))
      const distinct = new Map([...ranges.values()].map((r) => [rangeId(r), r]))
      const stats = new Map<string, StatsResult>()
      await Promise.all(
        [...distinct].map(async ([id, r]) => stats.set(id, await adminApi.stats({ ...r, groupBy: 'key' }))),
      )
      return withBudget
        .map((k) => budgetChart(k, stats.get(rangeId(ranges.get(k.name)!)), at))
        .filter((c): c is BudgetChart => c !== null)
    },
    placeholderData: keepPreviousData,
  })
