import { Bar, CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { StatsResult } from '../../../../../../src-shared/admin-api'
import { ErrorBoundary } from '../../../../components/ErrorBoundary'
import {
  formatBucketLabel,
  formatBucketTick,
  formatCount,
  formatPercent,
  formatUsd,
  formatUsdAxis,
} from '../../../../format'
import { cacheRows } from '../../../../store/selectors'
import { ChartTooltip, SeriesLegend } from '../../ChartFrame'
import { Stat } from '../../Stat'
import { ANIMATE } from '../../series-colors'
import { logsHref, type OverviewCard, type OverviewCardProps, rangeText } from '../card'
import './cache.css'

const SAVED = { name: 'Cost saved', color: 'var(--series-3)' }
const HIT_RATE = { name: 'Hit rate', color: 'var(--series-1)' }

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
        {cacheHits === 0 && (
          <div className="chart-empty two-axes">No call was answered from the cache in this range</div>
        )}
      </div>
      <SeriesLegend items={[SAVED, HIT_RATE]} />
    </figure>
  )
}

/** Hits, hit rate and what the cache saved in the range; the hit count opens those rows in Logs. */
function CacheCard({ data, range }: OverviewCardProps) {
  const t = data.overall.totals
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
          href={logsHref(range, { cache: 'hit' })}
        />
        <Stat id="cache-saved" label="Cost saved" value={t.cacheSavedUsd} text={formatUsd(t.cacheSavedUsd)} />
      </dl>
      <CacheChart overall={data.overall} rangeLabel={rangeText(range)} />
    </section>
  )
}

export const cacheCard: OverviewCard = { id: 'cache', wide: false, Card: CacheCard }
