import type { AuditEntry, ListPage } from '../../../src-shared/admin-api'
import { getJson, query } from './client'

/** GET /admin/v1/audit's filters: `action` may be an area (`key`) or one action (`key.rotate`). */
export interface AuditQuery {
  action?: string
  actor?: string
  target?: string
  /** ISO times: `since` inclusive, `until` exclusive. */
  since?: string
  until?: string
  q?: string
}

export const auditApi = {
  list: (filter: AuditQuery, opts: { limit?: number; cursor?: string | null } = {}) =>
    getJson<ListPage<AuditEntry>>(`/admin/v1/audit${query({ ...filter, limit: opts.limit, cursor: opts.cursor })}`),
}
