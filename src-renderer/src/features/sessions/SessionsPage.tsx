import { useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { useEffect, useMemo, useRef, useState } from 'react'
import type { LogItem } from '../../../../src-shared/contract/logs'
import type { SessionSummary } from '../../../../src-shared/contract/sessions'
import { errorMessage } from '../../api/client'
import { hrefFor, replaceQuery, useHashLocation } from '../../app/router'
import {
  formatCount,
  formatDateTime,
  formatDuration,
  formatTime,
  formatTokensInOut,
  formatUsd,
  timeZoneLabel,
} from '../../format'
import { projectsQuery, sessionQuery, sessionsQuery } from '../../queries/sessions'
import { LoggingOffNotice, useLoggingOff } from '../logs/LoggingOffNotice'
import {
  hasSessionFilters,
  KNOWN_TOOLS,
  SESSION_RANGES,
  type SessionFilters,
  type SessionRange,
  sessionFiltersFrom,
  toolLabel,
} from './session-filters'
import './sessions.css'

/** How long typing in a filter must pause before the list is asked again. */
const TYPING_DEBOUNCE_MS = 300

/** A text filter that shows each letter at once and applies once typing pauses. */
function TextFilter(props: { id: string; label: string; value: string; onApply(value: string): void }) {
  const { value } = props
  const [text, setText] = useState(value)
  // The latest callback, without restarting the pause each time the page re-renders.
  const apply = useRef(props.onApply)
  apply.current = props.onApply
  useEffect(() => setText(value), [value])
  useEffect(() => {
    if (text === value) return
    const t = setTimeout(() => apply.current(text), TYPING_DEBOUNCE_MS)
    return () => clearTimeout(t)
  }, [text, value])
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input id={props.id} value={text} placeholder="any" onChange={(e) => setText(e.target.value)} />
    </div>
  )
}

function Filters({ filters, set }: { filters: SessionFilters; set(patch: Partial<SessionFilters>): void }) {
  // A tool named in a link but not offered (one seen by its user-agent) still shows as chosen.
  const tools =
    filters.tool && !KNOWN_TOOLS[filters.tool] ? { ...KNOWN_TOOLS, [filters.tool]: filters.tool } : KNOWN_TOOLS
  return (
    <search className="filters" aria-label="Session filters">
      <div className="field">
        <label htmlFor="sessions-range">Time</label>
        <select
          id="sessions-range"
          value={filters.range}
          onChange={(e) => set({ range: e.target.value as SessionRange })}
        >
          {Object.entries(SESSION_RANGES).map(([k, text]) => (
            <option key={k} value={k}>
              {text}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="sessions-tool">Tool</label>
        <select id="sessions-tool" value={filters.tool} onChange={(e) => set({ tool: e.target.value })}>
          <option value="">All</option>
          {Object.entries(tools).map(([k, text]) => (
            <option key={k} value={k}>
              {text}
            </option>
          ))}
        </select>
      </div>
      <TextFilter
        id="sessions-project"
        label="Project"
        value={filters.project}
        onApply={(project) => set({ project })}
      />
      <TextFilter id="sessions-key" label="Key" value={filters.key} onApply={(key) => set({ key })} />
      {hasSessionFilters(filters) && (
        <button type="button" onClick={() => set({ project: '', key: '', tool: '' })}>
          Clear filters
        </button>
      )}
    </search>
  )
}

/** A session id as the table shows it: uuids are long, so their first group, the whole id on hover. */
const shortId = (id: string) => (id.length > 14 ? `${id.slice(0, 8)}…` : id)

const statusText = (status: number) => (status >= 400 || status === 0 ? `✘ ${status}` : `✔ ${status}`)

/** The calls of one session in the order they were made; each opens in Logs (the drawer, among the session's calls). */
function SessionCalls({ session }: { session: SessionSummary }) {
  const detail = useInfiniteQuery(sessionQuery(session.id))
  const calls = useMemo<LogItem[]>(() => detail.data?.pages.flatMap((p) => p.calls) ?? [], [detail.data])
  if (detail.error) {
    return (
      <div className="notice" role="alert">
        <span>
          <strong>Could not load the session's calls.</strong> {errorMessage(detail.error)}
        </span>
        <button type="button" onClick={() => void detail.refetch()}>
          Retry
        </button>
      </div>
    )
  }
  return (
    <div className="session-calls" aria-busy={detail.isFetching}>
      <table aria-label={`Calls of session ${session.id}`}>
        <thead>
          <tr>
            <th scope="col" className="num">
              #
            </th>
            <th scope="col">Time</th>
            <th scope="col">Model</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Tokens in → out
            </th>
            <th scope="col" className="num">
              Cached
            </th>
            <th scope="col" className="num">
              Cost
            </th>
            <th scope="col" className="num">
              Latency
            </th>
            <th scope="col">
              <span className="visually-hidden">Open</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {calls.map((c, i) => (
            <tr key={c.id} data-testid="session-call" data-request-id={c.requestId}>
              <td className="num">{i + 1}</td>
              <td title={c.createdAt}>{formatTime(c.createdAt)}</td>
              <td className="mono">{c.model ?? c.requestedModel ?? '—'}</td>
              <td
                className={c.status >= 400 || c.status === 0 ? 'status-err' : 'status-ok'}
                title={c.error ?? undefined}
              >
                {statusText(c.status)}
              </td>
              <td className="num">{formatTokensInOut(c.inputTokens, c.outputTokens)}</td>
              <td className="num">{formatCount(c.cachedTokens)}</td>
              <td className="num">{formatUsd(c.costUsd)}</td>
              <td className="num">{formatDuration(c.latencyMs)}</td>
              <td>
                <a href={hrefFor('/logs', { session: session.id, id: String(c.id) })}>Open in Logs</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {detail.hasNextPage && (
        <div className="row" style={{ marginTop: 8 }}>
          <button
            type="button"
            onClick={() => void detail.fetchNextPage({ cancelRefetch: false })}
            disabled={detail.isFetching}
          >
            {detail.isFetching ? 'Loading…' : 'More calls'}
          </button>
          <span className="muted">
            {formatCount(calls.length)} of {formatCount(session.calls)}
          </span>
        </div>
      )}
    </div>
  )
}

/**
 * What each project cost in the range (its calls in sessions or not); choosing one filters the sessions to
 * it. Shown only when some call in the range named a project.
 */
function ProjectTotals({ filters, set }: { filters: SessionFilters; set(patch: Partial<SessionFilters>): void }) {
  const projects = useQuery(projectsQuery(filters))
  const items = projects.data?.items ?? []
  if (items.length === 0) return null
  return (
    <section className="panel sessions-panel projects-panel" aria-labelledby="projects-title">
      <h2 id="projects-title">Projects</h2>
      <table aria-label="Projects" aria-busy={projects.isFetching}>
        <thead>
          <tr>
            <th scope="col">Project</th>
            <th scope="col">Last active</th>
            <th scope="col" className="num">
              Sessions
            </th>
            <th scope="col" className="num">
              Calls
            </th>
            <th scope="col" className="num">
              Tokens in → out
            </th>
            <th scope="col" className="num">
              Cached
            </th>
            <th scope="col" className="num">
              Cost
            </th>
            <th scope="col" className="num">
              Errors
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((p) => {
            const chosen = filters.project === p.project
            return (
              <tr key={p.project} data-testid="project-row" data-project={p.project} data-cost={p.costUsd ?? ''}>
                <td>
                  <button
                    type="button"
                    className="small"
                    aria-pressed={chosen}
                    title={chosen ? 'Show every project' : `Only the sessions of ${p.project}`}
                    onClick={() => set({ project: chosen ? '' : p.project })}
                  >
                    {p.project}
                  </button>
                </td>
                <td title={p.lastAt}>{formatTime(p.lastAt)}</td>
                <td className="num">{formatCount(p.sessions)}</td>
                <td className="num">{formatCount(p.calls)}</td>
                <td className="num">{formatTokensInOut(p.inputTokens, p.outputTokens)}</td>
                <td className="num">{formatCount(p.cachedTokens)}</td>
                <td className="num">{formatUsd(p.costUsd)}</td>
                <td className={p.errors > 0 ? 'num status-err' : 'num'}>{formatCount(p.errors)}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
      {projects.data?.isCapped && (
        <p className="muted">The {formatCount(items.length)} most recently active projects.</p>
      )}
    </section>
  )
}

const COLUMNS = 11

function SessionRow({ s, open, toggle }: { s: SessionSummary; open: boolean; toggle(): void }) {
  // Ids come from clients and may hold spaces, which would make aria-controls name two elements.
  const callsId = `session-calls-${encodeURIComponent(s.id)}`
  return (
    <>
      <tr data-testid="session-row" data-session-id={s.id} data-calls={s.calls} data-cost={s.costUsd ?? ''}>
        <td>
          <button
            type="button"
            className="small"
            aria-expanded={open}
            aria-controls={callsId}
            aria-label={`${open ? 'Hide' : 'Show'} the calls of session ${s.id}`}
            title={s.id}
            onClick={toggle}
          >
            {open ? '▾' : '▸'} <span className="mono">{shortId(s.id)}</span>
          </button>
        </td>
        <td title={s.lastAt}>{formatTime(s.lastAt)}</td>
        <td>{toolLabel(s.tool)}</td>
        <td>{s.project ?? <span className="muted">—</span>}</td>
        <td className="session-models" title={s.models.join(', ')}>
          {s.models.join(', ') || '—'}
        </td>
        <td className="num">{formatCount(s.calls)}</td>
        <td className="num">{formatTokensInOut(s.inputTokens, s.outputTokens)}</td>
        <td className="num" title={`${formatCount(s.cacheHits)} answered from the gateway's cache`}>
          {formatCount(s.cachedTokens)}
          {s.cacheHits > 0 && <span className="muted"> · {formatCount(s.cacheHits)} hits</span>}
        </td>
        <td className="num">{formatUsd(s.costUsd)}</td>
        <td className="num" title={`${formatDateTime(s.firstAt)} – ${formatDateTime(s.lastAt)}`}>
          {formatDuration(s.durationMs)}
        </td>
        <td className={s.errors > 0 ? 'num status-err' : 'num'}>{formatCount(s.errors)}</td>
      </tr>
      {open && (
        <tr id={callsId} className="session-calls-row">
          <td colSpan={COLUMNS}>
            <SessionCalls session={s} />
          </td>
        </tr>
      )}
    </>
  )
}

function SessionList() {
  const { query } = useHashLocation()
  const filters = sessionFiltersFrom(query)
  const openId = query.get('session')
  const list = useInfiniteQuery(sessionsQuery(filters))
  const sessions = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data])
  const first = list.data?.pages[0]
  // All view state is the URL's: a reload or a shared link shows the same sessions, the same one open.
  const state = { ...filters, session: openId ?? undefined }
  const set = (patch: Partial<SessionFilters>) => replaceQuery({ ...state, ...patch })
  const toggle = (id: string) => replaceQuery({ ...state, session: openId === id ? undefined : id })
  const loading = list.isFetching

  return (
    <>
      <Filters filters={filters} set={set} />
      <ProjectTotals filters={filters} set={set} />
      {list.error && (
        <div className="notice" role="alert">
          <span>
            <strong>Could not load sessions.</strong> {errorMessage(list.error)}
          </span>
          <button type="button" onClick={() => void list.refetch()}>
            Retry
          </button>
        </div>
      )}
      <div className="panel sessions-panel">
        <table aria-label="Sessions" aria-busy={loading}>
          <thead>
            <tr>
              <th scope="col">Session</th>
              <th scope="col">Last active</th>
              <th scope="col">Tool</th>
              <th scope="col">Project</th>
              <th scope="col">Models</th>
              <th scope="col" className="num">
                Calls
              </th>
              <th scope="col" className="num">
                Tokens in → out
              </th>
              <th scope="col" className="num">
                Cached
              </th>
              <th scope="col" className="num">
                Cost
              </th>
              <th scope="col" className="num">
                Duration
              </th>
              <th scope="col" className="num">
                Errors
              </th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <SessionRow key={s.id} s={s} open={openId === s.id} toggle={() => toggle(s.id)} />
            ))}
          </tbody>
        </table>
        {sessions.length === 0 && !loading && first && (
          <div className="empty" style={{ marginTop: 12 }}>
            {hasSessionFilters(filters) ? (
              <>
                <p>No session matches these filters.</p>
                <button type="button" onClick={() => set({ project: '', key: '', tool: '' })}>
                  Clear filters
                </button>
              </>
            ) : (
              <>
                <p>No coding sessions in this range.</p>
                <p className="muted">
                  Claude Code and Codex calls are grouped into sessions by themselves. Other tools send an{' '}
                  <code>x-switchyard-session</code> header (and <code>x-switchyard-project</code> for a project).
                </p>
                {filters.range !== '30d' && (
                  <button type="button" onClick={() => set({ range: '30d' })}>
                    Show the last 30 days
                  </button>
                )}
              </>
            )}
          </div>
        )}
        {list.hasNextPage && (
          <div className="row" style={{ marginTop: 10 }}>
            <button type="button" onClick={() => void list.fetchNextPage({ cancelRefetch: false })} disabled={loading}>
              {loading ? 'Loading…' : 'Load more'}
            </button>
            <span className="muted">
              {formatCount(sessions.length)} of {formatCount(first?.total)}
              {first?.isTotalCapped ? '+' : ''}
            </span>
          </div>
        )}
      </div>
    </>
  )
}

/** Coding sessions: what each agent session made, used and cost, its calls in order. */
export function SessionsPage() {
  const loggingOff = useLoggingOff()
  return (
    <main className="page">
      <header className="page-header">
        <h1>Sessions</h1>
        <span className="muted">Most recently active first · times in {timeZoneLabel()}</span>
      </header>
      {loggingOff ? <LoggingOffNotice /> : <SessionList />}
    </main>
  )
}
