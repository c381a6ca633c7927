import type { StateCreator } from 'zustand'
import type { LogDetail, LogItem, LogPage } from '../../../src-shared/admin-api'
import { adminApi, type LogQuery } from '../api/admin'
import { errorMessage } from '../api/client'

export const LOG_PAGE_SIZE = 100
/** The gateway counts matching rows up to this many (`isTotalCapped` past it). */
const TOTAL_CAP = 10_000

// The Overview's ranges too, so a number there links to exactly the rows behind it.
export const LOG_RANGES = {
  '': 'Any time',
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
} as const
export type LogRange = keyof typeof LOG_RANGES
const RANGE_MS: Record<Exclude<LogRange, ''>, number> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
}

/** The protection filters' choices and labels; the empty key means "don't filter". */
export const CACHE_FILTERS = { '': 'All', hit: 'Hits', miss: 'Misses' } as const
export const GUARDRAIL_FILTERS = {
  '': 'All',
  any: 'Any check fired',
  block: 'Blocked',
  flag: 'Flagged',
  log: 'Logged only',
} as const
export const REDACTION_FILTERS = { '': 'All', true: 'Redacted' } as const

export interface LogFilters {
  range: LogRange
  model: string
  provider: string
  key: string
  /** A status code, `error` (400 and up), or empty for all. */
  status: string
  q: string
  cache: keyof typeof CACHE_FILTERS
  guardrail: keyof typeof GUARDRAIL_FILTERS
  redacted: keyof typeof REDACTION_FILTERS
}

export const EMPTY_LOG_FILTERS: LogFilters = {
  range: '',
  model: '',
  provider: '',
  key: '',
  status: '',
  q: '',
  cache: '',
  guardrail: '',
  redacted: '',
}

/** Filters for which only some values are valid: anything else (an old or edited URL) means "all". */
export const CHOICE_FILTERS = {
  range: LOG_RANGES,
  cache: CACHE_FILTERS,
  guardrail: GUARDRAIL_FILTERS,
  redacted: REDACTION_FILTERS,
} as const

/** The filters typed letter by letter: they apply once typing pauses (`typeLogFilters`). */
export type TypedLogFilter = 'model' | 'provider' | 'key' | 'q'
/** How long typing in a filter must pause before the list is asked again. */
export const LOG_TYPING_DEBOUNCE_MS = 250

export function toLogQuery(f: LogFilters, now = Date.now()): LogQuery {
  return {
    from: f.range ? new Date(now - RANGE_MS[f.range]).toISOString() : undefined,
    model: f.model.trim() || undefined,
    provider: f.provider.trim() || undefined,
    key: f.key.trim() || undefined,
    status: f.status || undefined,
    q: f.q.trim() || undefined,
    cache: f.cache || undefined,
    guardrail: f.guardrail || undefined,
    redacted: f.redacted || undefined,
  }
}

const sameFilters = (a: LogFilters, b: LogFilters) =>
  (Object.keys(a) as (keyof LogFilters)[]).every((k) => a[k] === b[k])

export function hasLogFilters(f: LogFilters): boolean {
  return Object.values(f).some((v) => v !== '')
}

export interface LogsSlice {
  /** The filters in effect: the list, the URL and the export follow them. */
  logFilters: LogFilters
  /** What the filter fields show: `logFilters` plus whatever is being typed and not applied yet. */
  logDraft: LogFilters
  logItems: LogItem[]
  /** Matching rows, counted by the gateway up to a cap; null before the first answer. */
  logTotal: number | null
  /** More rows match than the gateway counts: `logTotal` is a floor ("10,000+"). */
  logTotalCapped: boolean
  logCursor: string | null
  logsLoading: boolean
  logsError: string | null
  detailId: number | null
  detail: LogDetail | null
  detailError: string | null
  /** Applies at once (selects, "Clear filters"), together with anything half typed. */
  setLogFilters(patch: Partial<LogFilters>): void
  /** Shows the text at once and applies it once typing pauses for LOG_TYPING_DEBOUNCE_MS. */
  typeLogFilters(patch: Partial<Pick<LogFilters, TypedLogFilter>>): void
  /** The first page for the current filters. */
  loadLogs(): Promise<void>
  loadMoreLogs(): Promise<void>
  /** Rows newer than the top one, put above it (the live view); skipped while another request runs. */
  refreshLogs(): Promise<void>
  openLog(id: number): Promise<void>
  closeLog(): void
}

/** A page's total counted from the top of the list: later pages count only from their cursor on. */
type PageCount = Pick<LogPage, 'total' | 'isTotalCapped'>

export const createLogsSlice: StateCreator<LogsSlice, [], [], LogsSlice> = (set, get) => {
  // One list request at a time: on a big log each one is real work for the gateway. A first-page load asked
  // for meanwhile waits and then runs once, with the filters in effect by then; more pages and refreshes are
  // simply skipped (the next scroll or tick asks again).
  let running: Promise<void> | null = null
  let reloadAfter = false
  // Bumped by every filter change: an answer for older filters is dropped rather than shown.
  let version = 0
  // Typed text waiting for a pause; a filter applied at once takes it along (and cancels the wait).
  let typing: ReturnType<typeof setTimeout> | undefined
  const exclusive = (task: () => Promise<void>): Promise<void> => {
    if (running) return running
    set({ logsLoading: true })
    running = (async () => {
      try {
        await task()
        while (reloadAfter) {
          reloadAfter = false
          await firstPage()
        }
      } finally {
        running = null
        set({ logsLoading: false })
      }
    })()
    return running
  }
  const fail = (mine: number, err: unknown) => {
    if (mine === version) set({ logsError: errorMessage(err) })
  }
  const count = (page: PageCount) => ({ logTotal: page.total, logTotalCapped: page.isTotalCapped })
  const firstPage = async () => {
    const mine = version
    try {
      const page = await adminApi.logs(toLogQuery(get().logFilters), { limit: LOG_PAGE_SIZE })
      if (mine !== version) return
      set({ logItems: page.items, ...count(page), logCursor: page.nextCursor, logsError: null })
    } catch (err) {
      fail(mine, err)
    }
  }
  return {
    logFilters: EMPTY_LOG_FILTERS,
    logDraft: EMPTY_LOG_FILTERS,
    logItems: [],
    logTotal: null,
    logTotalCapped: false,
    logCursor: null,
    logsLoading: false,
    logsError: null,
    detailId: null,
    detail: null,
    detailError: null,
    setLogFilters(patch) {
      clearTimeout(typing)
      typing = undefined
      version++
      const next = { ...get().logDraft, ...patch }
      set({ logFilters: next, logDraft: next })
      void get().loadLogs()
    },
    typeLogFilters(patch) {
      set({ logDraft: { ...get().logDraft, ...patch } })
      clearTimeout(typing)
      typing = setTimeout(() => {
        typing = undefined
        // Typed and then undone (a letter in, then out): the list already shows these filters.
        if (!sameFilters(get().logDraft, get().logFilters)) get().setLogFilters({})
      }, LOG_TYPING_DEBOUNCE_MS)
    },
    loadLogs() {
      if (running) {
        reloadAfter = true
        return running
      }
      return exclusive(firstPage)
    },
    async loadMoreLogs() {
      const cursor = get().logCursor
      if (!cursor || running) return
      await exclusive(async () => {
        const mine = version
        try {
          const page = await adminApi.logs(toLogQuery(get().logFilters), { limit: LOG_PAGE_SIZE, cursor })
          if (mine !== version) return
          set({ logItems: [...get().logItems, ...page.items], logCursor: page.nextCursor, logsError: null })
        } catch (err) {
          fail(mine, err)
        }
      })
    },
    async refreshLogs() {
      const top = get().logItems[0]
      if (running) return
      if (!top) return get().loadLogs()
      await exclusive(async () => {
        const mine = version
        try {
          const page = await adminApi.logs(toLogQuery(get().logFilters), { limit: LOG_PAGE_SIZE, after: top.id })
          if (mine !== version) return
          // More new rows than a page: the list starts over from the newest.
          if (page.nextCursor) return firstPage()
          if (page.items.length === 0) return
          const { logTotal, logTotalCapped } = get()
          const total = (logTotal ?? 0) + page.total
          set({
            logItems: [...page.items, ...get().logItems],
            logTotal: Math.min(total, TOTAL_CAP),
            logTotalCapped: logTotalCapped || total > TOTAL_CAP,
            logsError: null,
          })
        } catch (err) {
          fail(mine, err)
        }
      })
    },
    async openLog(id) {
      // The list holds summaries only; a body is fetched when its drawer opens, never per row.
      set({ detailId: id, detail: null, detailError: null })
      try {
        const detail = await adminApi.log(id)
        if (get().detailId === id) set({ detail })
      } catch (err) {
        if (get().detailId === id) set({ detailError: errorMessage(err) })
      }
    },
    closeLog: () => set({ detailId: null, detail: null, detailError: null }),
  }
}
