import {
  type InfiniteData,
  infiniteQueryOptions,
  keepPreviousData,
  type QueryClient,
  queryOptions,
} from '@tanstack/react-query'
import type { LogItem, LogPage } from '../../../src-shared/admin-api'
import { adminApi } from '../api/admin'
import { type LogFilters, toLogQuery } from '../store/logs-slice'

export const LOG_PAGE_SIZE = 100
/** The gateway counts matching rows up to this many (`isTotalCapped` past it). */
const TOTAL_CAP = 10_000

export const logListKey = (filters: LogFilters) => ['logs', 'list', filters] as const
export const logDetailKey = (id: number) => ['logs', 'detail', id] as const

/**
 * One list request at a time: on a big log each one is real work for the gateway. A request asked for while
 * one runs (the filters changed again, the next page, a restart's refetch) waits for it; one whose query was
 * left meanwhile (filters changed once more, so TanStack cancelled it) never goes out, so three quick filter
 * changes cost the running request plus one for the latest filters. The running request is not aborted: the
 * gateway would carry on counting anyway, and its page lands in the cache under its own filters.
 */
let tail: Promise<unknown> = Promise.resolve()
let running = 0
function oneAtATime<T>(signal: AbortSignal | null, task: () => Promise<T>): Promise<T> {
  running++
  const run = tail.then(() => {
    signal?.throwIfAborted()
    return task()
  })
  const done = run.then(
    () => running--,
    () => running--,
  )
  tail = done
  return run
}

/** Whether a list request is out or waiting: the live view skips its tick rather than queue behind it. */
export const logListBusy = (): boolean => running > 0

/**
 * The rows the filters match, newest first, a page per cursor (keyset: the gateway never counts an offset).
 * The first page's `total` is the count; later pages count only from their cursor on. While other filters
 * load, the rows on screen stay.
 */
export const logListQuery = (filters: LogFilters) =>
  infiniteQueryOptions({
    queryKey: logListKey(filters),
    queryFn: ({ pageParam, signal }) =>
      oneAtATime(signal, () =>
        adminApi.logs(
          toLogQuery(filters),
          pageParam ? { limit: LOG_PAGE_SIZE, cursor: pageParam } : { limit: LOG_PAGE_SIZE },
        ),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last: LogPage) => last.nextCursor,
    placeholderData: keepPreviousData,
    // Arriving on the page asks again; the live view keeps it current while it is open.
    staleTime: 0,
  })

export interface LogList {
  items: LogItem[]
  /** Matching rows, counted by the gateway up to a cap; null before the first answer. */
  total: number | null
  /** More rows match than the gateway counts: `total` is a floor ("10,000+"). */
  capped: boolean
  hasMore: boolean
}

export function logListOf(data: InfiniteData<LogPage, unknown> | undefined): LogList {
  const first = data?.pages[0]
  const last = data?.pages[data.pages.length - 1]
  return {
    items: data ? data.pages.flatMap((p) => p.items) : [],
    total: first ? first.total : null,
    capped: first?.isTotalCapped ?? false,
    hasMore: Boolean(last?.nextCursor),
  }
}

/**
 * The live view's tick: the rows newer than the top one, put above it. Skipped while a list request runs (a
 * slow gateway never gets a second one stacked on the first). More new rows than a page, or none shown yet:
 * the list starts over from its first page.
 */
export async function refreshLogTail(client: QueryClient, filters: LogFilters): Promise<void> {
  const key = logListKey(filters)
  const data = client.getQueryData<InfiniteData<LogPage, string | null>>(key)
  if (!data || logListBusy()) return
  const top = data.pages[0]?.items[0]
  if (!top) return firstPageAgain(client, filters)
  const page = await oneAtATime(null, () => adminApi.logs(toLogQuery(filters), { limit: LOG_PAGE_SIZE, after: top.id }))
  if (page.nextCursor) return firstPageAgain(client, filters)
  if (page.items.length === 0) return
  client.setQueryData<InfiniteData<LogPage, string | null>>(key, (d) => {
    const [first, ...rest] = d?.pages ?? []
    // The list changed under this answer (a reload landed first): the next tick asks again from its top.
    if (!d || !first || first.items[0]?.id !== top.id) return d
    const total = first.total + page.total
    const merged = {
      ...first,
      items: [...page.items, ...first.items],
      total: Math.min(total, TOTAL_CAP),
      isTotalCapped: first.isTotalCapped || total > TOTAL_CAP,
    }
    return { pages: [merged, ...rest], pageParams: d.pageParams }
  })
}

/** Drops every page but the first, then asks for it again. */
async function firstPageAgain(client: QueryClient, filters: LogFilters): Promise<void> {
  const key = logListKey(filters)
  client.setQueryData<InfiniteData<LogPage, string | null>>(key, (d) =>
    d ? { pages: d.pages.slice(0, 1), pageParams: d.pageParams.slice(0, 1) } : d,
  )
  await client.refetchQueries({ queryKey: key, exact: true })
}

/** One row with its bodies, fetched when its drawer opens, never per row; a logged row does not change. */
export const logDetailQuery = (id: number) =>
  queryOptions({
    queryKey: logDetailKey(id),
    queryFn: ({ signal }) => adminApi.log(id, signal),
    staleTime: Number.POSITIVE_INFINITY,
  })
