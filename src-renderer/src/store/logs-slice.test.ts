import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore, type StoreApi } from 'zustand/vanilla'
import type { LogItem } from '../../../src-shared/admin-api'
import { adminApi } from '../api/admin'
import { ApiError } from '../api/client'
import { createLogsSlice, EMPTY_LOG_FILTERS, hasLogFilters, type LogsSlice, toLogQuery } from './logs-slice'

vi.mock('../api/admin', () => ({ adminApi: { logs: vi.fn(), log: vi.fn() } }))
const logs = vi.mocked(adminApi.logs)
const log = vi.mocked(adminApi.log)

const item = (id: number): LogItem => ({ id, requestId: `req_${id}`, status: 200 }) as LogItem

describe('logs slice', () => {
  let store: StoreApi<LogsSlice>
  beforeEach(() => {
    vi.resetAllMocks()
    store = createStore<LogsSlice>()(createLogsSlice)
  })

  it('loads the first page, then appends the next one by cursor', async () => {
    logs.mockResolvedValueOnce({ items: [item(3), item(2)], total: 3, nextCursor: '2' })
    await store.getState().loadLogs()
    expect(store.getState()).toMatchObject({ logTotal: 3, logCursor: '2', logsLoading: false })
    logs.mockResolvedValueOnce({ items: [item(1)], total: 3, nextCursor: null })
    await store.getState().loadMoreLogs()
    expect(store.getState().logItems.map((i) => i.id)).toEqual([3, 2, 1])
    expect(logs).toHaveBeenLastCalledWith({}, { limit: 100, cursor: '2' })
    // No cursor left: nothing more to fetch.
    await store.getState().loadMoreLogs()
    expect(logs).toHaveBeenCalledTimes(2)
  })

  it('sends the filters and drops an answer that a newer filter has overtaken', async () => {
    let resolveOld!: (v: Awaited<ReturnType<typeof adminApi.logs>>) => void
    logs.mockReturnValueOnce(new Promise((r) => (resolveOld = r)))
    logs.mockResolvedValueOnce({ items: [item(9)], total: 1, nextCursor: null })
    store.getState().setLogFilters({ model: 'old' })
    store.getState().setLogFilters({ model: 'mock-gpt', status: 'error' })
    await vi.waitFor(() => expect(store.getState().logItems.map((i) => i.id)).toEqual([9]))
    resolveOld({ items: [item(1), item(2)], total: 2, nextCursor: null })
    await Promise.resolve()
    expect(store.getState().logItems.map((i) => i.id)).toEqual([9])
    expect(logs).toHaveBeenLastCalledWith({ model: 'mock-gpt', status: 'error' }, { limit: 100 })
  })

  it('keeps the rows on screen and reports an error beside them', async () => {
    logs.mockResolvedValueOnce({ items: [item(1)], total: 1, nextCursor: null })
    await store.getState().loadLogs()
    logs.mockRejectedValueOnce(new ApiError(503, 'request logs are not stored'))
    await store.getState().loadLogs()
    expect(store.getState().logItems).toHaveLength(1)
    expect(store.getState().logsError).toBe('request logs are not stored (HTTP 503)')
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
