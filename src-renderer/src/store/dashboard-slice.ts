import type { StateCreator } from 'zustand'
import type { StatsBucket, StatsGroupBy, StatsResult, StatsSummary } from '../../../src-shared/admin-api'
import { adminApi } from '../api/admin'
import { errorMessage, type GatewayInfo, getJson } from '../api/client'

export type TimeRange = '1h' | '24h' | '7d' | '30d'

export const TIME_RANGES: Record<TimeRange, { label: string; ms: number; bucket: StatsBucket }> = {
  '1h': { label: 'Last hour', ms: 3_600_000, bucket: '5m' },
  '24h': { label: 'Last 24 hours', ms: 86_400_000, bucket: 'hour' },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000, bucket: 'day' },
  '30d': { label: 'Last 30 days', ms: 30 * 86_400_000, bucket: 'day' },
}

export interface DashboardData {
  /** Totals and ungrouped buckets: KPIs and the latency chart. */
  overall: StatsResult
  /** Grouped by the chosen dimension: the stacked charts. */
  grouped: StatsResult
  byModel: StatsResult
  byProvider: StatsResult
  /** The same-length period just before, for the ▲/▼ change on each tile. */
  previous: StatsSummary
  /** Provider ids that run on this machine, for the local vs cloud share. */
  localProviders: string[]
}

export interface DashboardSlice {
  range: TimeRange
  groupBy: StatsGroupBy
  dashboard: DashboardData | null
  dashboardLoading: boolean
  dashboardError: string | null
  setRange(range: TimeRange): void
  setGroupBy(groupBy: StatsGroupBy): void
  loadDashboard(now?: number): Promise<void>
}

export const createDashboardSlice: StateCreator<DashboardSlice, [], [], DashboardSlice> = (set, get) => {
  let seq = 0
  return {
    range: '24h',
    groupBy: 'model',
    dashboard: null,
    dashboardLoading: false,
    dashboardError: null,
    setRange(range) {
      set({ range })
      void get().loadDashboard()
    },
    setGroupBy(groupBy) {
      set({ groupBy })
      void get().loadDashboard()
    },
    async loadDashboard(now = Date.now()) {
      const mine = ++seq
      const { range, groupBy } = get()
      const { ms, bucket } = TIME_RANGES[range]
      const to = new Date(now).toISOString()
      const from = new Date(now - ms).toISOString()
      const prevFrom = new Date(now - 2 * ms).toISOString()
      set({ dashboardLoading: true })
      try {
        const [overall, grouped, byModel, byProvider, previous, info] = await Promise.all([
          adminApi.stats({ from, to, bucket }),
          adminApi.stats({ from, to, bucket, groupBy }),
          groupBy === 'model' ? null : adminApi.stats({ from, to, bucket, groupBy: 'model' }),
          groupBy === 'provider' ? null : adminApi.stats({ from, to, bucket, groupBy: 'provider' }),
          adminApi.stats({ from: prevFrom, to: from, bucket: 'day' }),
          getJson<GatewayInfo>('/admin/v1/info'),
        ])
        if (mine !== seq) return
        set({
          dashboard: {
            overall,
            grouped,
            byModel: byModel ?? grouped,
            byProvider: byProvider ?? grouped,
            previous: previous.totals,
            localProviders: info.providers.filter((p) => p.local).map((p) => p.id),
          },
          dashboardLoading: false,
          dashboardError: null,
        })
      } catch (err) {
        // The last good numbers stay on screen, marked by the error beside them.
        if (mine === seq) set({ dashboardLoading: false, dashboardError: errorMessage(err) })
      }
    },
  }
}
