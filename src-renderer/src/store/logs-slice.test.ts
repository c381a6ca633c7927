import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore, type StoreApi } from 'zustand/vanilla'
import { ApiError } from '../api/client'
import {
  createLogsSlice,
  EMPTY_LOG_FILTERS,
  hasLogFilters,
  type LogFilters,
  type LogsSlice,
  toLogQuery,
} from './logs-slice'

describe('logs slice', () => {
  let store: StoreApi<LogsSlice>
  /** Each set of filters put in effect: the list's query asks the gateway once per distinct one. */
  let applied: LogFilters[]
  beforeEach(() => {
    store = createStore<LogsSlice>()(createLogsSlice)
    applied = []
    store.subscribe((s, prev) => {
      if (s.logFilters !== prev.logFilters) applied.push(s.logFilters)
    })
  })

  describe('typed filters', () => {
    beforeEach(() => vi.useFakeTimers())
    afterEach(() => vi.useRealTimers())

    // Issue 23: on a big log each query is real work for the gateway; a name typed letter by letter asks once.
    it('applies once typing pauses for 250 ms, with the whole text, while the field shows each letter', async () => {
      for (const text of ['g', 'gp', 'gpt', 'gpt-4']) {
        store.getState().typeLogFilters({ model: text })
        expect(store.getState().logDraft.model).toBe(text)
        await vi.advanceTimersByTimeAsync(200)
      }
      store.getState().typeLogFilters({ q: 'hello' })
      await vi.advanceTimersByTimeAsync(249)
      expect(applied).toEqual([])
      expect(store.getState().logFilters).toEqual(EMPTY_LOG_FILTERS)
      await vi.advanceTimersByTimeAsync(1)
      expect(applied).toEqual([{ ...EMPTY_LOG_FILTERS, model: 'gpt-4', q: 'hello' }])
      await vi.advanceTimersByTimeAsync(5000)
      expect(applied).toHaveLength(1)
    })

    // Before, "Clear filters" pressed while typing was undone by the typed text landing a moment later.
    it('a filter set at once (a select, "Clear filters") takes over what is being typed', async () => {
      store.getState().typeLogFilters({ model: 'abc' })
      await vi.advanceTimersByTimeAsync(100)
      store.getState().setLogFilters(EMPTY_LOG_FILTERS)
      await vi.advanceTimersByTimeAsync(1000)
      expect(applied).toEqual([EMPTY_LOG_FILTERS])
      expect(store.getState().logDraft).toEqual(EMPTY_LOG_FILTERS)
      // A select changed while a name is half typed applies both, once.
      store.getState().typeLogFilters({ provider: 'open' })
      store.getState().setLogFilters({ status: 'error' })
      await vi.advanceTimersByTimeAsync(1000)
      expect(applied).toEqual([EMPTY_LOG_FILTERS, { ...EMPTY_LOG_FILTERS, provider: 'open', status: 'error' }])
    })
  })

  it('holds which drawer is open', () => {
    store.getState().openLog(5)
    expect(store.getState().detailId).toBe(5)
    store.getState().closeLog()
    expect(store.getState().detailId).toBeNull()
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
