import type { StateCreator } from 'zustand'
import type { StatsBucket, StatsGroupBy } from '../../../src-shared/admin-api'

export type TimeRange = '1h' | '24h' | '7d' | '30d'

export const TIME_RANGES: Record<TimeRange, { label: string; ms: number; bucket: StatsBucket }> = {
  '1h': { label: 'Last hour', ms: 3_600_000, bucket: '5m' },
  '24h': { label: 'Last 24 hours', ms: 86_400_000, bucket: 'hour' },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000, bucket: 'day' },
  '30d': { label: 'Last 30 days', ms: 30 * 86_400_000, bucket: 'day' },
}

/** What the Overview shows (its numbers are a query: queries/overview.ts); kept while the user opens other pages. */
export interface DashboardSlice {
  range: TimeRange
  groupBy: StatsGroupBy
  setRange(range: TimeRange): void
  setGroupBy(groupBy: StatsGroupBy): void
}

export const createDashboardSlice: StateCreator<DashboardSlice, [], [], DashboardSlice> = (set) => ({
  range: '24h',
  groupBy: 'model',
  setRange: (range) => set({ range }),
  setGroupBy: (groupBy) => set({ groupBy }),
})
