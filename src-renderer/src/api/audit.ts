import type { AuditEntry, AuditQuery as AuditQueryContract } from '../../../src-shared/contract/audit'
import type { ListPage } from '../../../src-shared/contract/common'
import { getJson, query } from './client'

/** GET /admin/v1/audit's filters: `action` may be an area (`key`) or one action (`key.rotate`); ISO `since`/`until`. */
export type AuditQuery = Omit<AuditQueryContract, 'limit' | 'cursor'>

export const auditApi = {
  list: (filter: AuditQuery, opts: { limit?: number; cursor?: string | null } = {}, signal?: AbortSignal) =>
    getJson<ListPage<AuditEntry>>(
      `/admin/v1/audit${query({ ...filter, limit: opts.limit, cursor: opts.cursor })}`,
      signal,
    ),
}
