import { useInfiniteQuery } from '@tanstack/react-query'
import { useCallback, useEffect, useMemo, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { AuditChange, AuditEntry } from '../../../../src-shared/admin-api'
import { errorMessage } from '../../api/client'
import { replaceQuery, useHashLocation } from '../../app/router'
import { SearchField } from '../../components/SearchField'
import { formatCount, formatTime, timeZoneLabel } from '../../format'
import { auditQuery } from '../../queries/audit'
import { useAppStore } from '../../store'
import {
  AUDIT_ACTIONS,
  AUDIT_AREAS,
  type AuditFilters,
  EMPTY_AUDIT_FILTERS,
  hasAuditFilters,
  TEAM_AUDIT_ACTIONS,
} from '../../store/audit-slice'
import './audit.css'

const FILTER_KEYS = Object.keys(EMPTY_AUDIT_FILTERS) as (keyof AuditFilters)[]

function filtersFromQuery(q: URLSearchParams): AuditFilters {
  const f = { ...EMPTY_AUDIT_FILTERS }
  for (const k of FILTER_KEYS) f[k] = q.get(k) ?? ''
  return f
}

/** A value of the diff as text: strings as they are, anything else as compact JSON. */
function ValueCell({ value }: { value: unknown }) {
  if (value === undefined) return <span className="muted">—</span>
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 1).replace(/\n\s*/g, ' ')
  return <code className="mono audit-value">{text}</code>
}

const changeKind = (c: AuditChange) => (!('before' in c) ? 'added' : !('after' in c) ? 'removed' : 'changed')

function DiffTable({ entry }: { entry: AuditEntry }) {
  return (
    <table className="audit-diff" aria-label={`Changes of ${entry.action}`}>
      <thead>
        <tr>
          <th scope="col">Path</th>
          <th scope="col">Change</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {entry.diff.map((c) => (
          <tr key={c.path} data-kind={changeKind(c)}>
            <th scope="row" className="mono">
              {c.path}
            </th>
            <td>{changeKind(c)}</td>
            <td>
              <ValueCell value={c.before} />
            </td>
            <td>
              <ValueCell value={c.after} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  const [open, setOpen] = useState(false)
  const n = entry.diff.length
  return (
    <>
      <tr data-testid="audit-row" data-action={entry.action} aria-label={`${entry.action} ${entry.target ?? ''}`}>
        <td title={entry.createdAt}>{formatTime(entry.createdAt)}</td>
        <td title={entry.userAgent ?? undefined}>
          {entry.actorName ?? entry.actor} <span className="muted">{entry.remoteAddress ?? ''}</span>
        </td>
        <td>
          <span className="badge">{entry.action}</span>
        </td>
        <td>{entry.target ?? <span className="muted">—</span>}</td>
        <td>
          {n > 0 && (
            <button
              type="button"
              className="small"
              aria-expanded={open}
              aria-controls={`audit-diff-${entry.id}`}
              onClick={() => setOpen(!open)}
            >
              {open ? '▾' : '▸'} {n} {n === 1 ? 'change' : 'changes'}
            </button>
          )}
        </td>
      </tr>
      {open && (
        <tr id={`audit-diff-${entry.id}`} className="audit-diff-row">
          <td colSpan={5}>
            <DiffTable entry={entry} />
          </td>
        </tr>
      )}
    </>
  )
}

function Filters() {
  const filters = useAppStore(useShallow((s) => s.auditFilters))
  const setFilters = useAppStore((s) => s.setAuditFilters)
  const search = useCallback((q: string) => setFilters({ q }), [setFilters])
  const team = useAppStore((s) => s.authMode === 'team')
  const areas = team ? AUDIT_AREAS : AUDIT_AREAS.filter((a) => !a.team)
  const actions = team ? [...AUDIT_ACTIONS, ...TEAM_AUDIT_ACTIONS] : AUDIT_ACTIONS
  return (
    <search className="filters" aria-label="Audit filters">
      <div className="field">
        <label htmlFor="audit-action">Action</label>
        <select id="audit-action" value={filters.action} onChange={(e) => setFilters({ action: e.target.value })}>
          <option value="">All actions</option>
          <optgroup label="Areas">
            {areas.map((a) => (
              <option key={a.value} value={a.value}>
                {a.label}
              </option>
            ))}
          </optgroup>
          <optgroup label="Actions">
            {actions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </optgroup>
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-actor">Actor</label>
        <select id="audit-actor" value={filters.actor} onChange={(e) => setFilters({ actor: e.target.value })}>
          <option value="">Anyone</option>
          <option value="session">session (signed-in web UI)</option>
          <option value="admin-token">admin-token (API calls, desktop app)</option>
          {/* Entries made before the admin API asked everyone for the token. */}
          <option value="local">local (older entries, no token)</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-from">From</label>
        <input
          id="audit-from"
          type="date"
          value={filters.from}
          onChange={(e) => setFilters({ from: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor="audit-to">To</label>
        <input id="audit-to" type="date" value={filters.to} onChange={(e) => setFilters({ to: e.target.value })} />
      </div>
      <SearchField id="audit-q" query={filters.q} placeholder="Target, path, value, address…" onSearch={search} />
      {hasAuditFilters(filters) && (
        <button type="button" onClick={() => setFilters(EMPTY_AUDIT_FILTERS)}>
          Clear filters
        </button>
      )}
    </search>
  )
}

/** Keys & Policies → Audit: every admin change with who made it and what it changed, newest first. */
export function AuditView() {
  const { query } = useHashLocation()
  const filters = useAppStore(useShallow((s) => s.auditFilters))
  const setFilters = useAppStore((s) => s.setAuditFilters)
  // Filters come from the URL on arrival (shared links, reload), applied before the entries' query first asks,
  // then the URL follows the filters.
  useState(() => {
    const fromUrl = filtersFromQuery(query)
    const current = useAppStore.getState().auditFilters
    if (FILTER_KEYS.some((k) => fromUrl[k] !== current[k])) setFilters(fromUrl)
  })
  const audit = useInfiniteQuery(auditQuery(filters))
  const items = useMemo(() => audit.data?.pages.flatMap((p) => p.items) ?? [], [audit.data])
  const total = audit.data?.pages[0]?.total ?? null
  const loading = audit.isFetching
  const error = audit.error ? errorMessage(audit.error) : null
  const load = () => void audit.refetch({ cancelRefetch: false })
  const loadMore = () => void audit.fetchNextPage({ cancelRefetch: false })
  useEffect(() => {
    replaceQuery({ tab: 'audit', ...filters })
  }, [filters])

  return (
    <section className="stack" aria-labelledby="audit-title">
      <div className="row">
        <h2 id="audit-title">Audit trail</h2>
        <span className="muted">
          Every change made through the admin API, newest first · times in {timeZoneLabel()}
          {total !== null && ` · ${formatCount(total)} ${total === 1 ? 'entry' : 'entries'}`}
        </span>
      </div>
      <Filters />
      {error && (
        <div className="notice" role="alert">
          <span>
            <strong>Could not load the audit trail.</strong> {error}
          </span>
          <button type="button" onClick={load}>
            Retry
          </button>
        </div>
      )}
      <div className="panel">
        <table aria-label="Audit trail" aria-busy={loading}>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Diff</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <AuditRow key={e.id} entry={e} />
            ))}
          </tbody>
        </table>
        {items.length === 0 && !loading && total !== null && (
          <div className="empty" style={{ marginTop: 12 }}>
            {hasAuditFilters(filters) ? (
              <>
                <p>No change matches these filters.</p>
                <button type="button" onClick={() => setFilters(EMPTY_AUDIT_FILTERS)}>
                  Clear filters
                </button>
              </>
            ) : (
              <p>
                No admin changes yet. Creating a key, editing a provider or route, importing a config or saving a prompt
                version appears here with who did it and what changed.
              </p>
            )}
          </div>
        )}
        {audit.hasNextPage && (
          <div className="row" style={{ marginTop: 10 }}>
            <button type="button" onClick={loadMore} disabled={loading}>
              {loading ? 'Loading…' : 'Load more'}
            </button>
            <span className="muted">
              {formatCount(items.length)} of {formatCount(total)}
            </span>
          </div>
        )}
      </div>
    </section>
  )
}
