import { infiniteQueryOptions, keepPreviousData } from '@tanstack/react-query'
import type { AuditEntry, ListPage } from '../../../src-shared/admin-api'
import { auditApi } from '../api/audit'
import { type AuditFilters, toAuditQuery } from '../store/audit-slice'

export const AUDIT_PAGE_SIZE = 50

export const auditKey = (filters: AuditFilters) => ['audit', filters] as const

/**
 * The admin changes the filters match, newest first, a page per cursor ("Load more"); the first page's
 * `total` counts them all. While other filters load, the entries on screen stay.
 */
export const auditQuery = (filters: AuditFilters) =>
  infiniteQueryOptions({
    queryKey: auditKey(filters),
    queryFn: ({ pageParam, signal }) =>
      auditApi.list(toAuditQuery(filters), { limit: AUDIT_PAGE_SIZE, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last: ListPage<AuditEntry>) => last.nextCursor,
    placeholderData: keepPreviousData,
  })
