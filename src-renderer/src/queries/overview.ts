import { keepPreviousData, queryOptions } from '@tanstack/react-query'
import type {
  McpActivity,
  OverviewResult,
  StatsGroupBy,
  StatsResult,
  StatsSummary,
} from '../../../src-shared/admin-api'
import { type GatewayInfo, getJson } from '../api/client'
import { overviewApi } from '../api/overview'
import { TIME_RANGES, type TimeRange } from '../store/dashboard-slice'

export interface DashboardData {
  /** The range and grouping these numbers are for: while another loads, the page still draws these. */
  range: TimeRange
  groupBy: StatsGroupBy
  /** Totals and ungrouped buckets: KPIs and the latency chart. */
  overall: StatsResult
  /** Grouped by the chosen dimension: the stacked charts. */
  grouped: StatsResult
  byModel: StatsResult
  byProvider: StatsResult
  /** The same-length period just before, for the ▲/▼ change on each tile. */
  previous: StatsSummary
  /** Tool calls through the MCP hub (counted apart: never in the model figures). */
  mcp: McpActivity
  /** Spend per workspace and per person, dearest first. */
  spend: OverviewResult['spend']
  /** Provider ids that run on this machine, for the local vs cloud share. */
  localProviders: string[]
}

/** The Overview refreshes itself this often while it is on screen. */
export const OVERVIEW_REFRESH_MS = 30_000

export const overviewKey = (range: TimeRange, groupBy: StatsGroupBy) => ['overview', range, groupBy] as const

/**
 * The Overview's numbers for a range that ends now: the range is relative, so each fetch (the first, an
 * interval refresh, a retry) asks up to its own moment under the same key. One stats call (the gateway reads
 * each rollup cell once for all of it, in its report worker), then the provider list for the local/cloud split.
 *
 * On screen it refreshes every 30 s while the window is visible. TanStack's interval refetch joins a fetch that
 * is still running instead of starting another (Query.fetch returns the running promise unless asked to cancel
 * it), so a slow gateway never gets a queue of refreshes (overview.test.ts holds it to that). While another
 * range or grouping loads, the last numbers stay on screen.
 */
export const overviewQuery = (range: TimeRange, groupBy: StatsGroupBy, now: () => number = Date.now) =>
  queryOptions({
    queryKey: overviewKey(range, groupBy),
    queryFn: async ({ signal }): Promise<DashboardData> => {
      const { ms, bucket } = TIME_RANGES[range]
      const end = now()
      const to = new Date(end).toISOString()
      const from = new Date(end - ms).toISOString()
      const { overall, groups, previous, mcp, spend } = await overviewApi.overview(
        { from, to, bucket, groupBy },
        signal,
      )
      const info = await getJson<GatewayInfo>('/admin/v1/info', signal)
      return {
        range,
        groupBy,
        overall,
        // The gateway always includes the chosen grouping, model and provider.
        grouped: groups[groupBy] as StatsResult,
        byModel: groups.model as StatsResult,
        byProvider: groups.provider as StatsResult,
        previous,
        mcp,
        spend,
        localProviders: info.providers.filter((p) => p.local).map((p) => p.id),
      }
    },
    refetchInterval: OVERVIEW_REFRESH_MS,
    placeholderData: keepPreviousData,
  })
