import { useEffect, useMemo } from 'react'
import type { StatsGroupBy } from '../../../../src-shared/admin-api'
import { countNoun } from '../../count-noun'
import { formatCount, formatUsd, formatUsdAxis, timeZoneLabel } from '../../format'
import { useAppStore } from '../../store'
import { TIME_RANGES, type TimeRange } from '../../store/dashboard-slice'
import { latencyRows, localCloudShare, stackedSeries, topModelsByCost } from '../../store/selectors'
import { AlertsBanner } from '../alerts/AlertsBanner'
import { LoggingOffNotice, useLoggingOff } from '../logs/LoggingOffNotice'
import { GatewayStatus } from '../status/GatewayStatus'
import { KpiTiles } from './KpiTiles'
import { LatencyChart } from './LatencyChart'
import { LocalCloudChart } from './LocalCloudChart'
import { ProtectionCards } from './ProtectionCards'
import { StackedBarChart } from './StackedBarChart'
import { seriesPalette } from './series-colors'
import { TopModels } from './TopModels'
import './overview.css'

const AUTO_REFRESH_MS = 30_000
const GROUPS: { key: StatsGroupBy; label: string }[] = [
  { key: 'model', label: 'Model' },
  { key: 'provider', label: 'Provider' },
  { key: 'key', label: 'Key' },
]
const PERIOD: Record<TimeRange, string> = { '1h': 'hour', '24h': '24 h', '7d': '7 days', '30d': '30 days' }

const NO_REQUESTS = 'No requests in this range yet'
const requestsText = (n: number) => countNoun(n, 'request')
/** A cost chart of zeros is not an empty range: local and unpriced models answer for $0. */
const allFree = (n: number) =>
  n === 1
    ? 'The 1 request in this range cost $0 (a free or local model)'
    : `All ${requestsText(n)} in this range cost $0 (free or local models)`

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
  const data = useAppStore((s) => s.dashboard)
  const loading = useAppStore((s) => s.dashboardLoading)
  const error = useAppStore((s) => s.dashboardError)
  // `serve --no-log`: no numbers to load, which is a setting, not an error.
  const loggingOff = useLoggingOff()
  const setRange = useAppStore((s) => s.setRange)
  const setGroupBy = useAppStore((s) => s.setGroupBy)
  const load = useAppStore((s) => s.loadDashboard)
  const refresh = useAppStore((s) => s.refreshDashboard)

  useEffect(() => {
    void load()
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') refresh()
    }, AUTO_REFRESH_MS)
    return () => clearInterval(t)
  }, [load, refresh])

  const derived = useMemo(() => {
    if (!data) return null
    // The three stacked charts draw the same groups (the busiest), so a model keeps one colour and one
    // place in every legend, and no two groups on screen share a colour.
    const requests = stackedSeries(data.grouped, 'requests')
    return {
      requests,
      cost: stackedSeries(data.grouped, 'costUsd', 'requests'),
      errors: stackedSeries(data.grouped, 'errors', 'requests'),
      color: seriesPalette(requests.keys),
      latency: latencyRows(data.overall),
      top: topModelsByCost(data.byModel),
    }
  }, [data])

  const rangeLabel = TIME_RANGES[range].label.toLowerCase()
  const requestCount = data?.overall.totals.requests ?? 0
  const groupLabel = GROUPS.find((g) => g.key === groupBy)!.label.toLowerCase()
  return (
    <main className="page" aria-busy={loading}>
      <header className="page-header">
        <h1>Overview</h1>
        <span className="spacer" />
        <label htmlFor="group-by">Group by</label>
        <select id="group-by" value={groupBy} onChange={(e) => setGroupBy(e.target.value as StatsGroupBy)}>
          {GROUPS.map((g) => (
            <option key={g.key} value={g.key}>
              {g.label}
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
        <button type="button" aria-label="Refresh" title="Refresh" onClick={() => void load()} disabled={loading}>
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
          <button type="button" onClick={() => void load()}>
            Retry
          </button>
        </div>
      )}

      {data && derived && (
        <>
          {data.overall.db.rows === 0 && <NoTrafficYet />}
          <KpiTiles totals={data.overall.totals} previous={data.previous} periodLabel={PERIOD[range]} />
          <div className="chart-grid" data-testid="time-charts">
            <StackedBarChart
              title={`Requests by ${groupLabel}`}
              testId="chart-requests"
              series={derived.requests}
              bucket={data.overall.bucket}
              format={formatCount}
              formatAxis={formatCount}
              rangeLabel={rangeLabel}
              integer
              color={derived.color}
              emptyText={NO_REQUESTS}
            />
            <StackedBarChart
              title={`Cost by ${groupLabel}`}
              testId="chart-cost"
              series={derived.cost}
              bucket={data.overall.bucket}
              format={formatUsd}
              formatAxis={formatUsdAxis}
              rangeLabel={rangeLabel}
              integer={false}
              color={derived.color}
              emptyText={requestCount === 0 ? NO_REQUESTS : allFree(requestCount)}
            />
            <StackedBarChart
              title={`Errors by ${groupLabel}`}
              testId="chart-errors"
              series={derived.errors}
              bucket={data.overall.bucket}
              format={formatCount}
              formatAxis={formatCount}
              rangeLabel={rangeLabel}
              integer
              color={derived.color}
              emptyText={requestCount === 0 ? NO_REQUESTS : `No errors in ${requestsText(requestCount)}`}
            />
            <LatencyChart
              rows={derived.latency}
              bucket={data.overall.bucket}
              totals={data.overall.totals}
              rangeLabel={rangeLabel}
            />
          </div>
          <ProtectionCards overall={data.overall} range={range} rangeLabel={rangeLabel} />
          <div className="grid-2">
            <TopModels models={derived.top} />
            <LocalCloudChart
              rangeLabel={rangeLabel}
              share={(metric) => localCloudShare(data.byProvider, data.localProviders, metric)}
            />
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
