import type { StateCreator } from 'zustand'
import type { LogDetail, LogItem } from '../../../src-shared/admin-api'
import { adminApi, type LogQuery } from '../api/admin'
import { errorMessage } from '../api/client'

export const LOG_PAGE_SIZE = 100

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

export function hasLogFilters(f: LogFilters): boolean {
  return Object.values(f).some((v) => v !== '')
}

export interface LogsSlice {
  logFilters: LogFilters
  logItems: LogItem[]
  logTotal: number | null
  logCursor: string | null
  logsLoading: boolean
  logsError: string | null
  detailId: number | null
  detail: LogDetail | null
  detailError: string | null
  setLogFilters(patch: Partial<LogFilters>): void
  loadLogs(): Promise<void>
  loadMoreLogs(): Promise<void>
  openLog(id: number): Promise<void>
  closeLog(): void
}

export const createLogsSlice: StateCreator<LogsSlice, [], [], LogsSlice> = (set, get) => {
  // Each list load gets a number; answers to an older filter are dropped rather than shown.
  let seq = 0
  return {
    logFilters: EMPTY_LOG_FILTERS,
    logItems: [],
    logTotal: null,
    logCursor: null,
    logsLoading: false,
    logsError: null,
    detailId: null,
    detail: null,
    detailError: null,
    setLogFilters(patch) {
      set({ logFilters: { ...get().logFilters, ...patch } })
      void get().loadLogs()
    },
    async loadLogs() {
      const mine = ++seq
      set({ logsLoading: true })
      try {
        const page = await adminApi.logs(toLogQuery(get().logFilters), { limit: LOG_PAGE_SIZE })
        if (mine !== seq) return
        set({
          logItems: page.items,
          logTotal: page.total,
          logCursor: page.nextCursor,
          logsLoading: false,
          logsError: null,
        })
      } catch (err) {
        if (mine === seq) set({ logsLoading: false, logsError: errorMessage(err) })
      }
    },
    async loadMoreLogs() {
      const { logCursor, logsLoading } = get()
      if (!logCursor || logsLoading) return
      const mine = ++seq
      set({ logsLoading: true })
      try {
        const page = await adminApi.logs(toLogQuery(get().logFilters), { limit: LOG_PAGE_SIZE, cursor: logCursor })
        if (mine !== seq) return
        set({
          logItems: [...get().logItems, ...page.items],
          logTotal: page.total,
          logCursor: page.nextCursor,
          logsLoading: false,
          logsError: null,
        })
      } catch (err) {
        if (mine === seq) set({ logsLoading: false, logsError: errorMessage(err) })
      }
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
