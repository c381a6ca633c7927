import { Bar, CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { StatsResult } from '../../../../src-shared/admin-api'
import { hrefFor } from '../../app/router'
import { ErrorBoundary } from '../../components/ErrorBoundary'
import { GuardrailBadge } from '../../components/ProtectionBadges'
import {
  formatBucketLabel,
  formatBucketTick,
  formatCount,
  formatEntityCounts,
  formatPercent,
  formatUsd,
  formatUsdAxis,
} from '../../format'
import type { TimeRange } from '../../store/dashboard-slice'
import { cacheRows } from '../../store/selectors'
import { ChartTooltip, SeriesLegend } from './ChartFrame'
import { ANIMATE } from './series-colors'
import './protection-cards.css'

const SAVED = { name: 'Cost saved', color: 'var(--series-3)' }
const HIT_RATE = { name: 'Hit rate', color: 'var(--series-1)' }
const TOP_CHECKS = 5

/** One headline number; `data-value` carries it raw for tests, and a link opens the rows behind it in Logs. */
function Stat(props: { id: string; label: string; value: number | null; text: string; href?: string }) {
  return (
    <div className="stat" data-testid={`kpi-${props.id}`} data-value={props.value ?? ''}>
      <dt>{props.label}</dt>
      <dd>{props.href ? <a href={props.href}>{props.text}</a> : props.text}</dd>
    </div>
  )
}

/** What the cache saved per bucket (bars, USD) and its hit rate (line, right axis): two units, two axes. */
function CacheChart({ overall, rangeLabel }: { overall: StatsResult; rangeLabel: string }) {
  const rows = cacheRows(overall)
  const { cacheHits, requests, cacheSavedUsd } = overall.totals
  const summary = `Cache, ${rangeLabel}: ${formatCount(cacheHits)} hits of ${formatCount(requests)} requests, ${formatUsd(cacheSavedUsd)} saved`
  return (
    <figure className="chart-figure" data-testid="chart-cache">
      <figcaption className="visually-hidden">Cost saved and hit rate over time</figcaption>
      <div className="chart-box protection-chart" role="img" aria-label={summary}>
        <ErrorBoundary label="The cache chart">
          <ResponsiveContainer width="100%" height="100%">
            <ComposedChart data={rows} margin={{ top: 8, right: 0, bottom: 0, left: 0 }}>
              <CartesianGrid vertical={false} />
              <XAxis
                dataKey="t"
                tickFormatter={(t: number) => formatBucketTick(t, overall.bucket)}
                tickLine={false}
                axisLine={{ stroke: 'var(--border)' }}
                minTickGap={24}
              />
              <YAxis
                yAxisId="usd"
                tickFormatter={formatUsdAxis}
                tickLine={false}
                axisLine={false}
                width={56}
                domain={[0, (max: number) => (max > 0 ? max : 0.01)]}
              />
              <YAxis
                yAxisId="rate"
                orientation="right"
                tickFormatter={(v: number) => `${Math.round(v * 100)}%`}
                tickLine={false}
                axisLine={false}
                width={44}
                domain={[0, 1]}
              />
              <Tooltip
                cursor={{ fill: 'var(--surface-2)' }}
                content={({ active, payload, label }) => {
                  const row = payload?.[0]?.payload as (typeof rows)[number] | undefined
                  return (
                    <ChartTooltip
                      active={active && row !== undefined}
                      label={formatBucketLabel(Number(label), overall.bucket)}
                      rows={
                        row
                          ? [
                              { ...SAVED, value: formatUsd(row.savedUsd) },
                              { ...HIT_RATE, value: row.hitRate === null ? '—' : formatPercent(row.hitRate, 1) },
                            ]
                          : []
                      }
                    />
                  )
                }}
              />
              <Bar
                yAxisId="usd"
                dataKey="savedUsd"
                name={SAVED.name}
                fill={SAVED.color}
                isAnimationActive={ANIMATE}
                maxBarSize={48}
              />
              <Line
                yAxisId="rate"
                dataKey="hitRate"
                name={HIT_RATE.name}
                stroke={HIT_RATE.color}
                strokeWidth={2}
                dot={{ r: 3 }}
                connectNulls={false}
                isAnimationActive={ANIMATE}
              />
            </ComposedChart>
          </ResponsiveContainer>
        </ErrorBoundary>
        {cacheHits === 0 && <div className="chart-empty">No call was answered from the cache in this range</div>}
      </div>
      <SeriesLegend items={[SAVED, HIT_RATE]} />
    </figure>
  )
}

function CacheCard(props: {
  overall: StatsResult
  logs: (filter: Record<string, string>) => string
  rangeLabel: string
}) {
  const t = props.overall.totals
  return (
    <section className="panel protection-card" aria-labelledby="cache-card-heading" data-testid="card-cache">
      <div className="panel-header">
        <h2 id="cache-card-heading">Cache</h2>
        <a href="#/settings" className="muted">
          Cache settings
        </a>
      </div>
      <dl className="stat-row">
        <Stat
          id="cache-hit-rate"
          label="Hit rate"
          value={t.requests > 0 ? t.cacheHits / t.requests : null}
          text={formatPercent(t.cacheHits, t.requests)}
        />
        <Stat
          id="cache-hits"
          label="Hits"
          value={t.cacheHits}
          text={formatCount(t.cacheHits)}
          href={props.logs({ cache: 'hit' })}
        />
        <Stat id="cache-saved" label="Cost saved" value={t.cacheSavedUsd} text={formatUsd(t.cacheSavedUsd)} />
      </dl>
      <CacheChart overall={props.overall} rangeLabel={props.rangeLabel} />
    </section>
  )
}

function GuardrailsCard(props: { overall: StatsResult; logs: (filter: Record<string, string>) => string }) {
  const { totals: t, byGuardrail, byRedaction } = props.overall
  const quiet = byGuardrail.length === 0 && byRedaction.length === 0
  return (
    <section className="panel protection-card" aria-labelledby="guardrails-card-heading" data-testid="card-guardrails">
      <div className="panel-header">
        <h2 id="guardrails-card-heading">Guardrails</h2>
      </div>
      <dl className="stat-row">
        <Stat
          id="guardrail-blocked"
          label="Blocked"
          value={t.guardrailBlocked}
          text={formatCount(t.guardrailBlocked)}
          href={props.logs({ guardrail: 'block' })}
        />
        <Stat
          id="guardrail-flagged"
          label="Flagged"
          value={t.guardrailFlagged}
          text={formatCount(t.guardrailFlagged)}
          href={props.logs({ guardrail: 'flag' })}
        />
        <Stat
          id="redacted-calls"
          label="Redacted calls"
          value={t.redactedCalls}
          text={formatCount(t.redactedCalls)}
          href={props.logs({ redacted: 'true' })}
        />
      </dl>
      {quiet ? (
        <p className="muted">
          No guardrail fired and nothing was redacted in this range. Guardrails are set per route (
          <code>guardrails:</code>) and redaction with <code>redaction:</code> in the config.
        </p>
      ) : (
        <>
          {byGuardrail.length > 0 && (
            <table aria-label="Guardrail checks that fired">
              <thead>
                <tr>
                  <th scope="col">Check</th>
                  <th scope="col">Stage</th>
                  <th scope="col">Action</th>
                  <th scope="col" className="num">
                    Calls
                  </th>
                </tr>
              </thead>
              <tbody>
                {byGuardrail.slice(0, TOP_CHECKS).map((g) => (
                  <tr key={`${g.check}:${g.stage}:${g.action}`}>
                    <td>{g.check}</td>
                    <td>{g.stage}</td>
                    <td>
                      <GuardrailBadge action={g.action} />
                    </td>
                    <td className="num">{formatCount(g.count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {byRedaction.length > 0 && (
            <p data-testid="redacted-entities">
              <span className="muted">Redacted: </span>
              {formatEntityCounts(Object.fromEntries(byRedaction.map((r) => [r.type, r.count])))}
            </p>
          )}
        </>
      )}
    </section>
  )
}

/** Overview's Cache and Guardrails cards for the selected range; each number links to its rows in Logs. */
export function ProtectionCards(props: { overall: StatsResult; range: TimeRange; rangeLabel: string }) {
  const logs = (filter: Record<string, string>) => hrefFor('/logs', { range: props.range, ...filter })
  return (
    <div className="grid-2">
      <CacheCard overall={props.overall} logs={logs} rangeLabel={props.rangeLabel} />
      <GuardrailsCard overall={props.overall} logs={logs} />
    </div>
  )
}
