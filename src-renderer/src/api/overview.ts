import type { OverviewResult, StatsBucket, StatsGroupBy } from '../../../src-shared/admin-api'
import { getJson, query } from './client'

/** GET /admin/v1/stats/overview: one Overview refresh (totals, groupings, previous period) in one call. */
export const overviewApi = {
  overview: (p: { from: string; to: string; bucket: StatsBucket; groupBy: StatsGroupBy }) =>
    getJson<OverviewResult>(`/admin/v1/stats/overview${query(p)}`),
}
