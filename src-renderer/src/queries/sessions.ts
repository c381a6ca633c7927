import { infiniteQueryOptions, keepPreviousData, queryOptions } from '@tanstack/react-query'
import type { SessionDetail, SessionPage } from '../../../src-shared/contract/sessions'
import { sessionsApi } from '../api/sessions'
import { type SessionFilters, toSessionsQuery } from '../features/sessions/session-filters'

export const SESSIONS_PAGE_SIZE = 50
/** Calls of an open session per page: a long agent session has hundreds. */
export const SESSION_CALLS_PAGE_SIZE = 200

export const sessionsKey = (filters: SessionFilters) => ['sessions', 'list', filters] as const
export const sessionKey = (id: string) => ['sessions', 'detail', id] as const
export const projectsKey = (filters: SessionFilters) => ['sessions', 'projects', filters] as const

/**
 * The sessions active in the range, the most recently active first, a page per cursor ("Load more"). The range
 * ends when the query runs, so a refetch includes sessions begun since. While other filters load, the
 * sessions on screen stay.
 */
export const sessionsQuery = (filters: SessionFilters) =>
  infiniteQueryOptions({
    queryKey: sessionsKey(filters),
    queryFn: ({ pageParam, signal }) =>
      sessionsApi.list(toSessionsQuery(filters), { limit: SESSIONS_PAGE_SIZE, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last: SessionPage) => last.nextCursor,
    placeholderData: keepPreviousData,
  })

/** One session's totals and its calls in the order they were made, a page per cursor. */
export const sessionQuery = (id: string) =>
  infiniteQueryOptions({
    queryKey: sessionKey(id),
    queryFn: ({ pageParam, signal }) =>
      sessionsApi.get(id, { limit: SESSION_CALLS_PAGE_SIZE, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last: SessionDetail) => last.nextCursor,
  })

/** Each project's totals over its calls in the range, for the tool and key filters. */
export const projectsQuery = (filters: SessionFilters) => {
  // Not the project filter: the projects are what one is chosen from.
  const scope: SessionFilters = { ...filters, project: '' }
  return queryOptions({
    queryKey: projectsKey(scope),
    queryFn: ({ signal }) => sessionsApi.projects(toSessionsQuery(scope), signal),
    placeholderData: keepPreviousData,
  })
}
