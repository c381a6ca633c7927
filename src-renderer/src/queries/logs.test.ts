import { InfiniteQueryObserver, QueryClient, QueryObserver } from '@tanstack/react-query'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { LogItem, LogPage } from '../../../src-shared/admin-api'
import { adminApi } from '../api/admin'
import { ApiError, errorMessage } from '../api/client'
import { EMPTY_LOG_FILTERS, type LogFilters } from '../store/logs-slice'
import { logDetailQuery, logListBusy, logListKey, logListOf, logListQuery, refreshLogTail } from './logs'

vi.mock('../api/admin', () => ({ adminApi: { logs: vi.fn(), log: vi.fn() } }))
const logs = vi.mocked(adminApi.logs)
const log = vi.mocked(adminApi.log)

const item = (id: number): LogItem => ({ id, requestId: `req_${id}`, status: 200 }) as LogItem
const page = (items: LogItem[], total: number, nextCursor: string | null, isTotalCapped = false): LogPage => ({
  items,
  total,
  isTotalCapped,
  nextCursor,
})
const filters = (patch: Partial<LogFilters> = {}): LogFilters => ({ ...EMPTY_LOG_FILTERS, ...patch })

describe('logs queries', () => {
  let client: QueryClient
  const listOf = (f = filters()) => logListOf(client.getQueryData(logListKey(f)))
  /** The list on screen: an observer of the page's query, as useInfiniteQuery holds one. */
  const watch = (f = filters()) => {
    const observer = new InfiniteQueryObserver(client, logListQuery(f))
    const stop = observer.subscribe(() => {})
    return { observer, stop }
  }
  beforeEach(() => {
    vi.resetAllMocks()
    client = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  })
  afterEach(() => client.clear())

  it('loads the first page, then appends the next one by cursor', async () => {
    logs.mockResolvedValueOnce(page([item(3), item(2)], 3, '2'))
    const { observer, stop } = watch()
    await vi.waitFor(() => expect(listOf()).toMatchObject({ total: 3, hasMore: true }))
    logs.mockResolvedValueOnce(page([item(1)], 1, null))
    await observer.fetchNextPage()
    stop()
    expect(listOf().items.map((i) => i.id)).toEqual([3, 2, 1])
    // The total is the first page's: a later page counts only from its cursor on.
    expect(listOf()).toMatchObject({ total: 3, hasMore: false })
    expect(logs.mock.calls).toEqual([
      [{}, { limit: 100 }],
      [{}, { limit: 100, cursor: '2' }],
    ])
  })

  // Issue 23: before, each filter change (each debounced keystroke) sent its own request beside the running ones.
  it('never stacks a request on a running one: filter changes meanwhile load once, with the latest filters', async () => {
    let resolveOld!: (v: LogPage) => void
    logs.mockReturnValueOnce(new Promise((r) => (resolveOld = r)))
    logs.mockResolvedValueOnce(page([item(9)], 1, null))
    const { observer, stop } = watch(filters({ model: 'old' }))
    await vi.waitFor(() => expect(logs).toHaveBeenCalledTimes(1))
    observer.setOptions(logListQuery(filters({ model: 'newer' })))
    observer.setOptions(logListQuery(filters({ model: 'mock-gpt', status: 'error' })))
    await refreshLogTail(client, filters({ model: 'old' }))
    await new Promise((r) => setTimeout(r, 10))
    expect(logs).toHaveBeenCalledTimes(1)
    expect(logListBusy()).toBe(true)
    resolveOld(page([item(1), item(2)], 2, null))
    await vi.waitFor(() => expect(observer.getCurrentResult().data?.pages[0]?.items.map((i) => i.id)).toEqual([9]))
    expect(logs).toHaveBeenCalledTimes(2)
    expect(logs).toHaveBeenLastCalledWith({ model: 'mock-gpt', status: 'error' }, { limit: 100 })
    expect(logListBusy()).toBe(false)
    stop()
  })

  // Before, the live view reloaded the whole first page every 5 s.
  it('refreshes with the rows newer than the top one only, above the ones shown', async () => {
    logs.mockResolvedValueOnce(page([item(3), item(2)], 2, null))
    await client.fetchInfiniteQuery(logListQuery(filters()))
    logs.mockResolvedValueOnce(page([item(5), item(4)], 2, null))
    await refreshLogTail(client, filters())
    expect(logs).toHaveBeenLastCalledWith({}, { limit: 100, after: 3 })
    expect(listOf().items.map((i) => i.id)).toEqual([5, 4, 3, 2])
    expect(listOf().total).toBe(4)
    // More new rows than a page: the list starts over from the newest.
    logs.mockResolvedValueOnce(page([item(200)], 100, '101'))
    logs.mockResolvedValueOnce(page([item(200), item(199)], 10_000, '199', true))
    await refreshLogTail(client, filters())
    expect(logs).toHaveBeenLastCalledWith({}, { limit: 100 })
    expect(listOf()).toMatchObject({ total: 10_000, capped: true, hasMore: true })
    expect(listOf().items.map((i) => i.id)).toEqual([200, 199])
  })

  it('an empty list asks for its first page again on a live tick, so the first rows appear', async () => {
    logs.mockResolvedValueOnce(page([], 0, null))
    await client.fetchInfiniteQuery(logListQuery(filters()))
    logs.mockResolvedValueOnce(page([item(1)], 1, null))
    await refreshLogTail(client, filters())
    expect(logs).toHaveBeenLastCalledWith({}, { limit: 100 })
    expect(listOf()).toMatchObject({ total: 1, items: [{ id: 1 }] })
  })

  it('keeps the rows on screen and reports an error beside them', async () => {
    logs.mockResolvedValueOnce(page([item(1)], 1, null))
    const { observer, stop } = watch()
    await vi.waitFor(() => expect(observer.getCurrentResult().isSuccess).toBe(true))
    logs.mockRejectedValueOnce(new ApiError(503, 'request logs are not stored'))
    await observer.refetch()
    const result = observer.getCurrentResult()
    expect(logListOf(result.data).items).toHaveLength(1)
    expect(errorMessage(result.error)).toBe('request logs are not stored (HTTP 503)')
    stop()
  })

  it('fetches a body only when its drawer opens, and once per row', async () => {
    log.mockResolvedValue({ ...item(5), requestBody: { a: 1 } } as never)
    const observer = new QueryObserver(client, logDetailQuery(5))
    const stop = observer.subscribe(() => {})
    await vi.waitFor(() => expect(observer.getCurrentResult().data?.id).toBe(5))
    stop()
    // Opened again: a logged row does not change, so the cached detail is shown without asking.
    const again = new QueryObserver(client, logDetailQuery(5))
    const stopAgain = again.subscribe(() => {})
    expect(again.getCurrentResult().data?.id).toBe(5)
    expect(log).toHaveBeenCalledTimes(1)
    expect(log.mock.calls[0]?.[0]).toBe(5)
    stopAgain()
  })
})
