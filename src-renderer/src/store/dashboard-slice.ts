import type { StateCreator } from 'zustand'
import type { StatsBucket, StatsGroupBy, StatsResult, StatsSummary } from '../../../src-shared/admin-api'
import { errorMessage, type GatewayInfo, getJson } from '../api/client'
import { overviewApi } from '../api/overview'

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
  /**
   * Loads the numbers for the current range and grouping. Never two at once: asked again while a load runs
   * (the range changed), it loads once more after that one, with the settings of then.
   */
  loadDashboard(now?: number): Promise<void>
  /** The periodic refresh: skipped while a load runs, so a slow gateway never gets a queue of them. */
  refreshDashboard(): void
}

export const createDashboardSlice: StateCreator<DashboardSlice, [], [], DashboardSlice> = (set, get) => {
  let running: Promise<void> | null = null
  let again = false

  // One stats call per load (the gateway reads each rollup cell once for all of it, in its report worker),
  // then the provider list for the local/cloud split.
  const loadOnce = async (now: number) => {
    const { range, groupBy } = get()
    const { ms, bucket } = TIME_RANGES[range]
    const to = new Date(now).toISOString()
    const from = new Date(now - ms).toISOString()
    set({ dashboardLoading: true })
    try {
      const { overall, groups, previous } = await overviewApi.overview({ from, to, bucket, groupBy })
      const info = await getJson<GatewayInfo>('/admin/v1/info')
      // Settings changed meanwhile: the load queued after this one draws them, not these stale numbers.
      if (again) return
      set({
        dashboard: {
          overall,
          // The gateway always includes the chosen grouping, model and provider.
          grouped: groups[groupBy] as StatsResult,
          byModel: groups.model as StatsResult,
          byProvider: groups.provider as StatsResult,
          previous,
          localProviders: info.providers.filter((p) => p.local).map((p) => p.id),
        },
        dashboardLoading: false,
        dashboardError: null,
      })
    } catch (err) {
      // The last good numbers stay on screen, marked by the error beside them.
      set({ dashboardLoading: false, dashboardError: errorMessage(err) })
    }
  }

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
    loadDashboard(now) {
      if (running) {
        again = true
        return running
      }
      running = (async () => {
        try {
          await loadOnce(now ?? Date.now())
          while (again) {
            again = false
            await loadOnce(Date.now())
          }
        } finally {
          running = null
        }
      })()
      return running
    },
    refreshDashboard() {
      if (!running) void get().loadDashboard()
    },
  }
}
