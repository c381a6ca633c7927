import type { OverviewRequestQuery, OverviewResult } from '../../../src-shared/contract/stats'
import { getJson, query } from './client'

/** GET /admin/v1/stats/overview: one Overview refresh (totals, groupings, previous period) in one call. */
export const overviewApi = {
  overview: (p: OverviewRequestQuery, signal?: AbortSignal) =>
    getJson<OverviewResult>(`/admin/v1/stats/overview${query(p)}`, signal),
}
