import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore, type StoreApi } from 'zustand/vanilla'
import type { LogItem, LogPage } from '../../../src-shared/admin-api'
import { adminApi } from '../api/admin'
import { ApiError } from '../api/client'
import { createLogsSlice, EMPTY_LOG_FILTERS, hasLogFilters, type LogsSlice, toLogQuery } from './logs-slice'

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

describe('logs slice', () => {
  let store: StoreApi<LogsSlice>
  beforeEach(() => {
    vi.resetAllMocks()
    store = createStore<LogsSlice>()(createLogsSlice)
  })

  it('loads the first page, then appends the next one by cursor', async () => {
    logs.mockResolvedValueOnce(page([item(3), item(2)], 3, '2'))
    await store.getState().loadLogs()
    expect(store.getState()).toMatchObject({ logTotal: 3, logCursor: '2', logsLoading: false })
    logs.mockResolvedValueOnce(page([item(1)], 1, null))
    await store.getState().loadMoreLogs()
    expect(store.getState().logItems.map((i) => i.id)).toEqual([3, 2, 1])
    // The total is the first page's: a later page counts only from its cursor on.
    expect(store.getState().logTotal).toBe(3)
    expect(logs).toHaveBeenLastCalledWith({}, { limit: 100, cursor: '2' })
    // No cursor left: nothing more to fetch.
    await store.getState().loadMoreLogs()
    expect(logs).toHaveBeenCalledTimes(2)
  })

  // Before, each filter change (each debounced keystroke) sent its own request beside the running ones.
  it('never stacks a request on a running one: filter changes meanwhile load once, with the latest filters', async () => {
    let resolveOld!: (v: LogPage) => void
    logs.mockReturnValueOnce(new Promise((r) => (resolveOld = r)))
    logs.mockResolvedValueOnce(page([item(9)], 1, null))
    store.getState().setLogFilters({ model: 'old' })
    store.getState().setLogFilters({ model: 'newer' })
    store.getState().setLogFilters({ model: 'mock-gpt', status: 'error' })
    await store.getState().refreshLogs()
    await store.getState().loadMoreLogs()
    expect(logs).toHaveBeenCalledTimes(1)
    resolveOld(page([item(1), item(2)], 2, null))
    await vi.waitFor(() => expect(store.getState().logItems.map((i) => i.id)).toEqual([9]))
    expect(logs).toHaveBeenCalledTimes(2)
    expect(logs).toHaveBeenLastCalledWith({ model: 'mock-gpt', status: 'error' }, { limit: 100 })
    expect(store.getState().logsLoading).toBe(false)
  })

  // Before, the live view reloaded the whole first page every 5 s.
  it('refreshes with the rows newer than the top one only, above the ones shown', async () => {
    logs.mockResolvedValueOnce(page([item(3), item(2)], 2, null))
    await store.getState().loadLogs()
    logs.mockResolvedValueOnce(page([item(5), item(4)], 2, null))
    await store.getState().refreshLogs()
    expect(logs).toHaveBeenLastCalledWith({}, { limit: 100, after: 3 })
    expect(store.getState().logItems.map((i) => i.id)).toEqual([5, 4, 3, 2])
    expect(store.getState().logTotal).toBe(4)
    // More new rows than a page: the list starts over from the newest.
    logs.mockResolvedValueOnce(page([item(200)], 100, '101'))
    logs.mockResolvedValueOnce(page([item(200), item(199)], 10_000, '199', true))
    await store.getState().refreshLogs()
    expect(logs).toHaveBeenLastCalledWith({}, { limit: 100 })
    expect(store.getState()).toMatchObject({ logTotal: 10_000, logTotalCapped: true, logCursor: '199' })
    expect(store.getState().logItems.map((i) => i.id)).toEqual([200, 199])
  })

  it('keeps the rows on screen and reports an error beside them', async () => {
    logs.mockResolvedValueOnce(page([item(1)], 1, null))
    await store.getState().loadLogs()
    logs.mockRejectedValueOnce(new ApiError(503, 'request logs are not stored'))
    await store.getState().loadLogs()
    expect(store.getState().logItems).toHaveLength(1)
    expect(store.getState().logsError).toBe('request logs are not stored (HTTP 503)')
  })

  describe('typed filters', () => {
    beforeEach(() => vi.useFakeTimers())
    afterEach(() => vi.useRealTimers())

    // Issue 23: on a big log each query is real work for the gateway; a name typed letter by letter asks once.
    it('queries once typing pauses for 250 ms, with the whole text, while the field shows each letter', async () => {
      logs.mockResolvedValue(page([item(1)], 1, null))
      for (const text of ['g', 'gp', 'gpt', 'gpt-4']) {
        store.getState().typeLogFilters({ model: text })
        expect(store.getState().logDraft.model).toBe(text)
        await vi.advanceTimersByTimeAsync(200)
      }
      store.getState().typeLogFilters({ q: 'hello' })
      await vi.advanceTimersByTimeAsync(249)
      expect(logs).not.toHaveBeenCalled()
      expect(store.getState().logFilters).toEqual(EMPTY_LOG_FILTERS)
      await vi.advanceTimersByTimeAsync(1)
      expect(logs).toHaveBeenCalledTimes(1)
      expect(logs).toHaveBeenLastCalledWith({ model: 'gpt-4', q: 'hello' }, { limit: 100 })
      await vi.advanceTimersByTimeAsync(5000)
      expect(logs).toHaveBeenCalledTimes(1)
    })

    // Before, "Clear filters" pressed while typing was undone by the typed text landing a moment later.
    it('a filter set at once (a select, "Clear filters") takes over what is being typed', async () => {
      logs.mockResolvedValue(page([item(1)], 1, null))
      store.getState().typeLogFilters({ model: 'abc' })
      await vi.advanceTimersByTimeAsync(100)
      store.getState().setLogFilters(EMPTY_LOG_FILTERS)
      await vi.advanceTimersByTimeAsync(1000)
      expect(logs).toHaveBeenCalledTimes(1)
      expect(logs).toHaveBeenLastCalledWith({}, { limit: 100 })
      expect(store.getState().logDraft).toEqual(EMPTY_LOG_FILTERS)
      // A select changed while a name is half typed applies both, once.
      store.getState().typeLogFilters({ provider: 'open' })
      store.getState().setLogFilters({ status: 'error' })
      await vi.advanceTimersByTimeAsync(1000)
      expect(logs).toHaveBeenCalledTimes(2)
      expect(logs).toHaveBeenLastCalledWith({ provider: 'open', status: 'error' }, { limit: 100 })
    })
  })

  it('fetches a body only when its drawer opens, and ignores a detail for a drawer since closed', async () => {
    log.mockResolvedValueOnce({ ...item(5), requestBody: { a: 1 } } as never)
    await store.getState().openLog(5)
    expect(store.getState().detail?.id).toBe(5)
    let resolve!: (v: never) => void
    log.mockReturnValueOnce(new Promise((r) => (resolve = r)))
    const pending = store.getState().openLog(6)
    store.getState().closeLog()
    resolve({ ...item(6) } as never)
    await pending
    expect(store.getState()).toMatchObject({ detailId: null, detail: null })
  })
})

describe('toLogQuery', () => {
  it('turns a range into `from` and leaves out empty filters', () => {
    const now = Date.parse('2026-11-25T12:00:00.000Z')
    expect(toLogQuery({ ...EMPTY_LOG_FILTERS, range: '1h', q: '  hello ' }, now)).toEqual({
      from: '2026-11-25T11:00:00.000Z',
      model: undefined,
      provider: undefined,
      key: undefined,
      status: undefined,
      q: 'hello',
      cache: undefined,
      guardrail: undefined,
      redacted: undefined,
    })
    expect(toLogQuery({ ...EMPTY_LOG_FILTERS, cache: 'hit', guardrail: 'flag', redacted: 'true' })).toMatchObject({
      cache: 'hit',
      guardrail: 'flag',
      redacted: 'true',
    })
    expect(hasLogFilters(EMPTY_LOG_FILTERS)).toBe(false)
    expect(hasLogFilters({ ...EMPTY_LOG_FILTERS, key: 'ci' })).toBe(true)
    expect(hasLogFilters({ ...EMPTY_LOG_FILTERS, guardrail: 'any' })).toBe(true)
  })
})

describe('error messages', () => {
  it('carry the status and the request id when the gateway gave one', async () => {
    const { errorMessage } = await import('../api/client')
    expect(errorMessage(new ApiError(502, 'upstream refused', 'req_abc'))).toBe(
      'upstream refused (HTTP 502, request req_abc)',
    )
  })
})
