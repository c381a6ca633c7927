import type { ProjectList, SessionDetail, SessionPage, SessionsQuery } from '../../../src-shared/contract/sessions'
import { getJson, query } from './client'

/** GET /admin/v1/sessions's filters: an ISO range and the calls' project, key or tool. */
export type SessionsFilter = Omit<SessionsQuery, 'limit' | 'cursor'>

type Page = { limit?: number; cursor?: string | null }

export const sessionsApi = {
  list: (filter: SessionsFilter, page: Page, signal?: AbortSignal) =>
    getJson<SessionPage>(`/admin/v1/sessions${query({ ...filter, limit: page.limit, cursor: page.cursor })}`, signal),
  /** Each project's totals over its calls in the range. */
  projects: (filter: Omit<SessionsFilter, 'project'>, signal?: AbortSignal) =>
    getJson<ProjectList>(`/admin/v1/projects${query(filter)}`, signal),
  /** Ids come from clients and may hold `#`, `/` or `?`: always encoded. */
  get: (id: string, page: Page, signal?: AbortSignal) =>
    getJson<SessionDetail>(
      `/admin/v1/sessions/${encodeURIComponent(id)}${query({ limit: page.limit, cursor: page.cursor })}`,
      signal,
    ),
}
