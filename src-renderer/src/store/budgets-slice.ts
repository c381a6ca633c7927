import type { StateCreator } from 'zustand'
import type { KeyItem, StatsResult } from '../../../src-shared/admin-api'
import { adminApi } from '../api/admin'
import { errorMessage } from '../api/client'
import { type BudgetChart, budgetChart, budgetRange, rangeId } from './budget-series'

export interface BudgetsSlice {
  /** One chart per key with a budget, in the keys' order; the last good set stays when a reload fails. */
  budgetCharts: BudgetChart[] | null
  budgetChartsLoading: boolean
  budgetChartsError: string | null
  /** Reads the spend per key of every budget's current period (one stats query per distinct period). */
  loadBudgetCharts(keys: KeyItem[], now?: number): Promise<void>
}

export const createBudgetsSlice: StateCreator<BudgetsSlice, [], [], BudgetsSlice> = (set) => ({
  budgetCharts: null,
  budgetChartsLoading: false,
  budgetChartsError: null,
  async loadBudgetCharts(keys, now = Date.now()) {
    const budgeted = keys.filter((k) => k.budget)
    const ranges = new Map(budgeted.map((k) => [k.name, budgetRange(k.budget!, now)]))
    const distinct = new Map([...ranges.values()].map((r) => [rangeId(r), r]))
    set({ budgetChartsLoading: true })
    try {
      const stats = new Map<string, StatsResult>()
      await Promise.all(
        [...distinct].map(async ([id, r]) => stats.set(id, await adminApi.stats({ ...r, groupBy: 'key' }))),
      )
      set({
        budgetCharts: budgeted
          .map((k) => budgetChart(k, stats.get(rangeId(ranges.get(k.name)!)), now))
          .filter((c): c is BudgetChart => c !== null),
        budgetChartsLoading: false,
        budgetChartsError: null,
      })
    } catch (err) {
      set({ budgetChartsLoading: false, budgetChartsError: errorMessage(err) })
    }
  },
})
