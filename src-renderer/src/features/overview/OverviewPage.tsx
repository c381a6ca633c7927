import { useQuery } from '@tanstack/react-query'
import type { StatsGroupBy } from '../../../../src-shared/admin-api'
import { errorMessage } from '../../api/client'
import { timeZoneLabel } from '../../format'
import { overviewQuery } from '../../queries/overview'
import { useAppStore } from '../../store'
import { TIME_RANGES, type TimeRange } from '../../store/dashboard-slice'
import { AlertsBanner } from '../alerts/AlertsBanner'
import { LoggingOffNotice, useLoggingOff } from '../logs/LoggingOffNotice'
import { GatewayStatus } from '../status/GatewayStatus'
import { OVERVIEW_CARDS } from './cards'
import { GROUP_BY_LABELS } from './cards/card'
import './overview.css'

function NoTrafficYet() {
  return (
    <section className="empty" aria-label="Getting started">
      <p>
        <strong>No requests yet.</strong> Numbers and charts fill in as soon as a tool calls the gateway.
      </p>
      <ol className="steps">
        <li>
          <a href="#/connect">Connect a tool</a> (Claude Code, Codex, an SDK…) to this gateway.
        </li>
        <li>
          Or <a href="#/playground">try a model in the Playground</a>.
        </li>
        <li>
          Missing a model? <a href="#/providers">Add a provider</a>.
        </li>
      </ol>
    </section>
  )
}

export function OverviewPage() {
  const range = useAppStore((s) => s.range)
  const groupBy = useAppStore((s) => s.groupBy)
  const setRange = useAppStore((s) => s.setRange)
  const setGroupBy = useAppStore((s) => s.setGroupBy)
  // `serve --no-log`: no numbers to load, which is a setting, not an error.
  const loggingOff = useLoggingOff()
  // Refreshes every 30 s while the window is visible; a refresh never starts while one runs (queries/overview.ts).
  const overview = useQuery(overviewQuery(range, groupBy))
  const data = overview.data
  const error = overview.error ? errorMessage(overview.error) : null
  const loading = overview.isFetching
  // Join a load that is running rather than cancel it and ask the gateway again.
  const load = () => void overview.refetch({ cancelRefetch: false })

  return (
    <main className="page" aria-busy={loading}>
      <header className="page-header">
        <h1>Overview</h1>
        <span className="spacer" />
        <label htmlFor="group-by">Group by</label>
        <select id="group-by" value={groupBy} onChange={(e) => setGroupBy(e.target.value as StatsGroupBy)}>
          {(Object.keys(GROUP_BY_LABELS) as StatsGroupBy[]).map((g) => (
            <option key={g} value={g}>
              {GROUP_BY_LABELS[g]}
            </option>
          ))}
        </select>
        {/* biome-ignore lint/a11y/useSemanticElements: a toolbar of toggle buttons, not a form group */}
        <div className="segmented" role="group" aria-label="Time range" data-testid="time-range">
          {(Object.keys(TIME_RANGES) as TimeRange[]).map((r) => (
            <button
              key={r}
              type="button"
              aria-pressed={range === r}
              title={TIME_RANGES[r].label}
              onClick={() => setRange(r)}
            >
              {r}
            </button>
          ))}
        </div>
        <span className="muted" title="Times are shown in this time zone">
          {timeZoneLabel()}
        </span>
        <button type="button" aria-label="Refresh" title="Refresh" onClick={load} disabled={loading}>
          ⟳
        </button>
      </header>

      <AlertsBanner />

      {loggingOff && <LoggingOffNotice />}
      {error && !loggingOff && (
        <div className="notice" role="alert">
          <span>
            <strong>Could not load the numbers.</strong> {error}
            {data && ' The figures below are from the last successful load.'}
          </span>
          <button type="button" onClick={load}>
            Retry
          </button>
        </div>
      )}

      {data && (
        <>
          {data.overall.db.rows === 0 && <NoTrafficYet />}
          {/* While another range or grouping loads, the last numbers stay (placeholder data), marked busy. */}
          <div className="overview-cards">
            {OVERVIEW_CARDS.map(({ id, wide, Card }) => (
              <div key={id} className={wide ? 'overview-card wide' : 'overview-card'}>
                <Card data={data} range={data.range} groupBy={data.groupBy} />
              </div>
            ))}
          </div>
        </>
      )}
      {!data && !error && !loggingOff && (
        <p className="muted" aria-live="polite">
          Loading numbers…
        </p>
      )}
      <GatewayStatus />
    </main>
  )
}
