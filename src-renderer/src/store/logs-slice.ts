import type { StateCreator } from 'zustand'
import type { LogQuery } from '../api/admin'

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
/** Model calls, tool calls through the MCP hub (inboundApi `mcp`), or both. */
export const KIND_FILTERS = { '': 'All', model: 'Model calls', mcp: 'Tool calls' } as const

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
  /** A coding session's id: its calls only (the Sessions page links here). */
  session: string
  /** The calling key's workspace, and whom the call was made for (the Overview's spend card links here). */
  workspace: string
  person: string
  kind: keyof typeof KIND_FILTERS
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
  session: '',
  workspace: '',
  person: '',
  kind: '',
}

/** Filters for which only some values are valid: anything else (an old or edited URL) means "all". */
export const CHOICE_FILTERS = {
  range: LOG_RANGES,
  cache: CACHE_FILTERS,
  guardrail: GUARDRAIL_FILTERS,
  redacted: REDACTION_FILTERS,
  kind: KIND_FILTERS,
} as const

/** The filters typed letter by letter: they apply once typing pauses (`typeLogFilters`). */
export type TypedLogFilter = 'model' | 'provider' | 'key' | 'q' | 'session' | 'workspace' | 'person'
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
    session: f.session.trim() || undefined,
    workspace: f.workspace.trim() || undefined,
    person: f.person.trim() || undefined,
    kind: f.kind || undefined,
  }
}

const sameFilters = (a: LogFilters, b: LogFilters) =>
  (Object.keys(a) as (keyof LogFilters)[]).every((k) => a[k] === b[k])

export function hasLogFilters(f: LogFilters): boolean {
  return Object.values(f).some((v) => v !== '')
}

export interface LogsSlice {
  /** The filters in effect: the list (queries/logs.ts), the URL and the export follow them. */
  logFilters: LogFilters
  /** What the filter fields show: `logFilters` plus whatever is being typed and not applied yet. */
  logDraft: LogFilters
  /** The row whose drawer is open (its detail is a query: queries/logs.ts). */
  detailId: number | null
  /** Applies at once (selects, "Clear filters"), together with anything half typed. */
  setLogFilters(patch: Partial<LogFilters>): void
  /** Shows the text at once and applies it once typing pauses for LOG_TYPING_DEBOUNCE_MS. */
  typeLogFilters(patch: Partial<Pick<LogFilters, TypedLogFilter>>): void
  openLog(id: number): void
  closeLog(): void
}

export const createLogsSlice: StateCreator<LogsSlice, [], [], LogsSlice> = (set, get) => {
  // Typed text waiting for a pause; a filter applied at once takes it along (and cancels the wait).
  let typing: ReturnType<typeof setTimeout> | undefined
  return {
    logFilters: EMPTY_LOG_FILTERS,
    logDraft: EMPTY_LOG_FILTERS,
    detailId: null,
    setLogFilters(patch) {
      clearTimeout(typing)
      typing = undefined
      const next = { ...get().logDraft, ...patch }
      set({ logFilters: next, logDraft: next })
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
    openLog: (id) => set({ detailId: id }),
    closeLog: () => set({ detailId: null }),
  }
}
