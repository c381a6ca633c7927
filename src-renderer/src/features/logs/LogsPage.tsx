import { type KeyboardEvent, useCallback, useEffect, useRef, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { LogItem } from '../../../../src-shared/admin-api'
import { adminApi } from '../../api/admin'
import { errorMessage } from '../../api/client'
import { hrefFor, replaceQuery, useHashLocation } from '../../app/router'
import { CacheHitBadge, GuardrailBadge, RedactedBadge } from '../../components/ProtectionBadges'
import { SearchField } from '../../components/SearchField'
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatEntityCounts,
  formatTime,
  formatTokensInOut,
  formatUsd,
} from '../../format'
import { useAppStore } from '../../store'
import {
  CACHE_FILTERS,
  CHOICE_FILTERS,
  EMPTY_LOG_FILTERS,
  GUARDRAIL_FILTERS,
  hasLogFilters,
  LOG_RANGES,
  type LogFilters,
  type LogRange,
  REDACTION_FILTERS,
  toLogQuery,
} from '../../store/logs-slice'
import { LogDrawer } from './LogDrawer'

const ROW_HEIGHT = 32
const OVERSCAN = 10
const LIVE_MS = 5000
// Fixed widths (with the table's narrow padding) fit their longest usual value (`Dec 2, 14:03`, `embeddings`,
// `1.24 s`) so nothing is cut; the requested name and the model share the rest of a 1280 px window.
const COLUMNS = [
  { label: 'Time', width: '92px' },
  { label: 'Status', width: '56px' },
  { label: 'Requested', width: 'auto' },
  { label: 'Model', width: 'auto' },
  { label: 'Provider', width: '76px' },
  { label: 'Key', width: '56px' },
  { label: 'API', width: '80px' },
  { label: 'Stream', width: '60px' },
  { label: 'Tokens in → out', width: '108px', num: true },
  { label: 'Cost', width: '68px', num: true },
  { label: 'Latency', width: '64px', num: true },
  { label: 'TTFT', width: '64px', num: true },
  { label: 'Protection', width: '88px' },
]
const FILTER_KEYS = Object.keys(EMPTY_LOG_FILTERS) as (keyof LogFilters)[]

function filtersFromQuery(q: URLSearchParams): LogFilters {
  const f = { ...EMPTY_LOG_FILTERS }
  for (const k of FILTER_KEYS) {
    const v = q.get(k)
    if (v !== null) (f as Record<string, string>)[k] = v
  }
  for (const [k, choices] of Object.entries(CHOICE_FILTERS)) {
    const key = k as keyof typeof CHOICE_FILTERS
    if (!Object.hasOwn(choices, f[key])) (f as Record<string, string>)[key] = ''
  }
  return f
}

/** How long typing in a filter must pause before the list is asked again. */
const TYPING_DEBOUNCE_MS = 300

/** A text filter that applies once typing pauses, so a name typed letter by letter asks the gateway once. */
function FilterInput({ name, label }: { name: 'model' | 'provider' | 'key'; label: string }) {
  const value = useAppStore((s) => s.logFilters[name])
  const setFilters = useAppStore((s) => s.setLogFilters)
  const [text, setText] = useState(value)
  useEffect(() => setText(value), [value])
  useEffect(() => {
    if (text === value) return
    const t = setTimeout(() => setFilters({ [name]: text }), TYPING_DEBOUNCE_MS)
    return () => clearTimeout(t)
  }, [text, value, name, setFilters])
  return (
    <div className="field">
      <label htmlFor={`logs-${name}`}>{label}</label>
      <input id={`logs-${name}`} value={text} placeholder="any" onChange={(e) => setText(e.target.value)} />
    </div>
  )
}

function Filters({ searchRef }: { searchRef: React.RefObject<HTMLInputElement | null> }) {
  const filters = useAppStore(useShallow((s) => s.logFilters))
  const setFilters = useAppStore((s) => s.setLogFilters)
  const search = useCallback((q: string) => setFilters({ q }), [setFilters])
  // Sealed bodies are never indexed (SECURITY.md): with encryption on, search covers the metadata only.
  const sealed = useAppStore((s) => s.settings?.logs.encryptBodies === true)

  const choice = <K extends 'cache' | 'guardrail' | 'redacted'>(
    key: K,
    label: string,
    options: Record<LogFilters[K], string>,
  ) => (
    <div className="field">
      <label htmlFor={`logs-${key}`}>{label}</label>
      <select
        id={`logs-${key}`}
        value={filters[key]}
        onChange={(e) => setFilters({ [key]: e.target.value as LogFilters[K] })}
      >
        {Object.entries<string>(options).map(([k, text]) => (
          <option key={k} value={k}>
            {text}
          </option>
        ))}
      </select>
    </div>
  )
  return (
    <search className="filters" aria-label="Log filters">
      <div className="field">
        <label htmlFor="logs-range">Time</label>
        <select
          id="logs-range"
          value={filters.range}
          onChange={(e) => setFilters({ range: e.target.value as LogRange })}
        >
          {Object.entries(LOG_RANGES).map(([k, label]) => (
            <option key={k} value={k}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <FilterInput name="model" label="Model" />
      <FilterInput name="provider" label="Provider" />
      <FilterInput name="key" label="Key" />
      <div className="field">
        <label htmlFor="logs-status">Status</label>
        <select id="logs-status" value={filters.status} onChange={(e) => setFilters({ status: e.target.value })}>
          <option value="">All</option>
          <option value="error">Errors (400 and up)</option>
          {['200', '400', '401', '403', '404', '429', '500', '502', '503', '504'].map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      {choice('cache', 'Cache', CACHE_FILTERS)}
      {choice('guardrail', 'Guardrails', GUARDRAIL_FILTERS)}
      {choice('redacted', 'Redaction', REDACTION_FILTERS)}
      <SearchField
        id="logs-q"
        inputRef={searchRef}
        query={filters.q}
        placeholder={
          sealed
            ? 'Request id, model, route, error (bodies are encrypted: not searched)  ( / )'
            : 'Words in prompts and answers, request id, model, error  ( / )'
        }
        onSearch={search}
      />
      {hasLogFilters(filters) && (
        <button type="button" onClick={() => setFilters(EMPTY_LOG_FILTERS)}>
          Clear filters
        </button>
      )}
    </search>
  )
}

/** "1,234" or, past the gateway's count cap, "10,000+". */
function formatTotal(total: number, capped: boolean): string {
  return `${formatCount(total)}${capped ? '+' : ''}`
}

/** Lines so far: every exported row ends with one (CSV adds a header line). */
function countNewlines(chunk: Uint8Array): number {
  let n = 0
  for (const byte of chunk) if (byte === 10) n++
  return n
}

function ExportButtons() {
  const filters = useAppStore(useShallow((s) => s.logFilters))
  const total = useAppStore((s) => s.logTotal)
  const capped = useAppStore((s) => s.logTotalCapped)
  const [error, setError] = useState<string | null>(null)
  const [progress, setProgress] = useState<{ bytes: number; rows: number } | null>(null)
  const abortRef = useRef<AbortController | null>(null)
  useEffect(() => () => abortRef.current?.abort(), [])
  const download = async (format: 'csv' | 'jsonl') => {
    setError(null)
    const abort = new AbortController()
    abortRef.current = abort
    const sofar = { bytes: 0, rows: format === 'csv' ? -1 : 0 }
    setProgress({ bytes: 0, rows: 0 })
    try {
      await adminApi.exportLogs(
        toLogQuery(filters),
        format,
        (chunk) => {
          sofar.bytes += chunk.byteLength
          sofar.rows += countNewlines(chunk)
          setProgress({ bytes: sofar.bytes, rows: Math.max(0, sofar.rows) })
        },
        abort.signal,
      )
    } catch (err) {
      if (!abort.signal.aborted) setError(errorMessage(err))
    } finally {
      abortRef.current = null
      setProgress(null)
    }
  }
  return (
    <div className="row">
      {progress ? (
        <>
          <span className="muted" role="status" data-testid="export-progress">
            Exporting… {formatCount(progress.rows)} rows, {formatBytes(progress.bytes)}
          </span>
          <button type="button" onClick={() => abortRef.current?.abort()}>
            Cancel
          </button>
        </>
      ) : (
        <>
          <span className="muted">Export {total === null ? '' : `${formatTotal(total, capped)} rows`}</span>
          <button type="button" onClick={() => void download('csv')} disabled={!total}>
            CSV
          </button>
          <button type="button" onClick={() => void download('jsonl')} disabled={!total}>
            JSONL
          </button>
        </>
      )}
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </div>
  )
}

/** What redaction, guardrails and the cache did to the call; `log`-only guardrail hits show in the drawer. */
function ProtectionCell({ item }: { item: LogItem }) {
  const redacted = Object.keys(item.redactions).length > 0
  const summary = [
    item.guardrailAction && `guardrail: ${item.guardrailAction}`,
    item.isCacheHit && 'cache hit',
    redacted && `redacted: ${formatEntityCounts(item.redactions)}`,
  ].filter(Boolean)
  // The column fits one badge; the cell's title lists them all when a call has several.
  return (
    <div className="protection-badges" title={summary.join(' · ') || undefined}>
      {item.guardrailAction && item.guardrailAction !== 'log' && <GuardrailBadge action={item.guardrailAction} />}
      {item.isCacheHit && <CacheHitBadge />}
      {redacted && <RedactedBadge title={`Redacted before sending: ${formatEntityCounts(item.redactions)}`} />}
    </div>
  )
}

function Row(props: {
  item: LogItem
  index: number
  selected: boolean
  onOpen(): void
  onKeyDown(e: KeyboardEvent): void
}) {
  const { item, index, selected } = props
  const err = item.status >= 400
  return (
    <tr
      aria-rowindex={index + 2}
      aria-selected={selected}
      tabIndex={selected ? 0 : -1}
      data-testid="log-row"
      data-request-id={item.requestId}
      data-model={item.model ?? ''}
      data-log-id={item.id}
      onClick={props.onOpen}
      onKeyDown={props.onKeyDown}
    >
      <td title={item.createdAt}>{formatTime(item.createdAt)}</td>
      <td className={err ? 'status-err' : 'status-ok'}>
        {err ? '✘' : '✔'} {item.status}
      </td>
      <td title={item.route ? `route ${item.route}` : (item.requestedModel ?? '')}>
        {item.route ?? item.requestedModel ?? '—'}
      </td>
      <td title={item.model ?? ''}>{item.model ?? '—'}</td>
      <td>{item.provider ?? '—'}</td>
      <td>{item.keyName ?? '—'}</td>
      <td>{item.inboundApi}</td>
      <td>{item.isStream ? 'stream' : '—'}</td>
      <td className="num">{formatTokensInOut(item.inputTokens, item.outputTokens)}</td>
      <td className="num">{formatUsd(item.costUsd)}</td>
      <td className="num">{formatDuration(item.latencyMs)}</td>
      <td className="num">{formatDuration(item.ttftMs)}</td>
      <td>
        <ProtectionCell item={item} />
      </td>
    </tr>
  )
}

export function LogsPage() {
  const { query } = useHashLocation()
  const items = useAppStore(useShallow((s) => s.logItems))
  const total = useAppStore((s) => s.logTotal)
  const capped = useAppStore((s) => s.logTotalCapped)
  const cursor = useAppStore((s) => s.logCursor)
  const loading = useAppStore((s) => s.logsLoading)
  const error = useAppStore((s) => s.logsError)
  const filters = useAppStore(useShallow((s) => s.logFilters))
  const detailId = useAppStore((s) => s.detailId)
  const actions = useAppStore(
    useShallow((s) => ({
      setFilters: s.setLogFilters,
      load: s.loadLogs,
      loadMore: s.loadMoreLogs,
      refresh: s.refreshLogs,
      open: s.openLog,
      close: s.closeLog,
      loadSettings: s.loadSettings,
    })),
  )
  const viewportRef = useRef<HTMLDivElement>(null)
  const searchRef = useRef<HTMLInputElement>(null)
  const [scrollTop, setScrollTop] = useState(0)
  const [viewportHeight, setViewportHeight] = useState(600)
  const [active, setActive] = useState(0)
  const openerRef = useRef<HTMLElement | null>(null)
  const urlId = query.get('id')

  // Filters come from the URL on arrival (shared links, reload), then the URL follows the filters.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once, on arrival
  useEffect(() => {
    const fromUrl = filtersFromQuery(query)
    const current = useAppStore.getState().logFilters
    if (FILTER_KEYS.some((k) => fromUrl[k] !== current[k])) actions.setFilters(fromUrl)
    else void actions.load()
    // Knowing whether body logging is on lets the drawer say why a body is missing.
    void actions.loadSettings()
  }, [])
  useEffect(() => {
    replaceQuery({ ...filters, id: urlId ?? undefined })
  }, [filters, urlId])

  // The drawer follows `?id=`, so Back closes it and a link opens it.
  useEffect(() => {
    const id = urlId ? Number(urlId) : null
    if (id && Number.isInteger(id)) {
      if (useAppStore.getState().detailId !== id) void actions.open(id)
    } else if (useAppStore.getState().detailId !== null) actions.close()
  }, [urlId, actions])

  // Live tail: fetch the rows newer than the top one while the list is scrolled to the top and no drawer is
  // open (the slice skips a tick while another request runs).
  useEffect(() => {
    const t = setInterval(() => {
      if (document.visibilityState === 'visible' && (viewportRef.current?.scrollTop ?? 0) === 0 && !detailId)
        void actions.refresh()
    }, LIVE_MS)
    return () => clearInterval(t)
  }, [actions, detailId])

  useEffect(() => {
    const el = viewportRef.current
    if (!el) return
    const ro = new ResizeObserver(() => setViewportHeight(el.clientHeight))
    ro.observe(el)
    return () => ro.disconnect()
  }, [])

  // `/` focuses the search from anywhere on the page except inside another field.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      const t = e.target as HTMLElement
      if (e.key === '/' && !/^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)) {
        e.preventDefault()
        searchRef.current?.focus()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN)
  const last = Math.min(items.length, Math.ceil((scrollTop + viewportHeight) / ROW_HEIGHT) + OVERSCAN)
  // Fetch the next page before the user reaches the end.
  useEffect(() => {
    if (cursor && !loading && last >= items.length - OVERSCAN) void actions.loadMore()
  }, [cursor, loading, last, items.length, actions])

  const openRow = (index: number) => {
    const item = items[index]
    if (!item) return
    setActive(index)
    openerRef.current = viewportRef.current?.querySelector<HTMLElement>(`[data-log-id="${item.id}"]`) ?? null
    window.location.hash = hrefFor('/logs', { ...filters, id: String(item.id) })
  }
  const closeDrawer = () => {
    replaceQuery({ ...filters })
    openerRef.current?.focus()
  }
  const moveActive = (by: number) => {
    const next = Math.min(items.length - 1, Math.max(0, active + by))
    setActive(next)
    const el = viewportRef.current
    if (el) {
      // The header row sits over the first ROW_HEIGHT of the viewport.
      const top = next * ROW_HEIGHT
      if (top < el.scrollTop) el.scrollTop = top
      else if (top + 2 * ROW_HEIGHT > el.scrollTop + el.clientHeight)
        el.scrollTop = top + 2 * ROW_HEIGHT - el.clientHeight
      requestAnimationFrame(() => el.querySelector<HTMLElement>(`[aria-rowindex="${next + 2}"]`)?.focus())
    }
    // With the drawer open, j/k walk through the filtered rows and the drawer follows.
    if (detailId !== null && items[next]) replaceQuery({ ...filters, id: String(items[next].id) })
  }
  const onRowKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'j') moveActive(1)
    else if (e.key === 'ArrowUp' || e.key === 'k') moveActive(-1)
    else if (e.key === 'Enter') openRow(active)
    else return
    e.preventDefault()
  }
  useEffect(() => {
    if (detailId === null) return
    const onKey = (e: globalThis.KeyboardEvent) => {
      if ((e.key === 'j' || e.key === 'k') && !/^(INPUT|TEXTAREA|SELECT)$/.test((e.target as HTMLElement).tagName))
        moveActive(e.key === 'j' ? 1 : -1)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  })

  const filtered = hasLogFilters(filters)
  return (
    <main className="page">
      <header className="page-header">
        <h1>Logs</h1>
        <span className="spacer" />
        <ExportButtons />
      </header>
      <Filters searchRef={searchRef} />
      {error && (
        <div className="notice" role="alert">
          <span>
            <strong>Could not load logs.</strong> {error}
          </span>
          <button type="button" onClick={() => void actions.load()}>
            Retry
          </button>
        </div>
      )}
      <div className="grid-table">
        <div className="grid-viewport" ref={viewportRef} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
          <table
            className="log-table"
            // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: rows are navigated with arrow keys, j/k and Enter (ui.md §1), which a grid announces
            role="grid"
            aria-label="Request logs"
            aria-rowcount={capped ? -1 : (total ?? items.length) + 1}
            aria-busy={loading}
            data-testid="logs-table"
          >
            <colgroup>
              {COLUMNS.map((c) => (
                <col key={c.label} style={{ width: c.width }} />
              ))}
            </colgroup>
            <thead>
              <tr aria-rowindex={1}>
                {COLUMNS.map((c) => (
                  <th key={c.label} scope="col" className={c.num ? 'num' : undefined}>
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {first > 0 && <tr className="spacer-row" style={{ height: first * ROW_HEIGHT }} />}
              {items.slice(first, last).map((item, i) => (
                <Row
                  key={item.id}
                  item={item}
                  index={first + i}
                  selected={first + i === active}
                  onOpen={() => openRow(first + i)}
                  onKeyDown={onRowKey}
                />
              ))}
              {last < items.length && (
                <tr className="spacer-row" style={{ height: (items.length - last) * ROW_HEIGHT }} />
              )}
            </tbody>
          </table>
          {items.length === 0 && !loading && total !== null && (
            <div className="empty" style={{ margin: 16 }}>
              {filtered ? (
                <>
                  <p>No request matches these filters.</p>
                  <button type="button" onClick={() => actions.setFilters(EMPTY_LOG_FILTERS)}>
                    Clear filters
                  </button>
                </>
              ) : (
                <>
                  <p>No requests yet. Every call through the gateway appears here within seconds.</p>
                  <div className="row">
                    <a className="button" href="#/connect">
                      Connect a tool
                    </a>
                    <a className="button" href="#/playground">
                      Try the Playground
                    </a>
                  </div>
                </>
              )}
            </div>
          )}
        </div>
        <div className="grid-foot">
          <span>
            {total === null
              ? 'Loading…'
              : `${formatCount(capped ? items.length : Math.min(items.length, total))} of ${formatTotal(Math.max(total, items.length), capped)} shown${cursor ? ' · scroll for more' : ''}`}
          </span>
          <span>↑/↓ or j/k move · Enter opens · / searches</span>
        </div>
      </div>
      {detailId !== null && <LogDrawer onClose={closeDrawer} />}
    </main>
  )
}
