import { useMemo } from 'react'
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { formatBucketLabel, formatBucketTick, formatDuration } from '../../../../format'
import { latencyRows } from '../../../../store/selectors'
import { ChartFrame, ChartTooltip, SeriesLegend } from '../../ChartFrame'
import { ANIMATE } from '../../series-colors'
import { type OverviewCard, type OverviewCardProps, rangeText } from '../card'

const LINES = [
  { key: 'p50', name: 'p50 latency', color: 'var(--series-1)' },
  { key: 'p95', name: 'p95 latency', color: 'var(--series-2)' },
  { key: 'ttft', name: 'TTFT (p50)', color: 'var(--series-3)' },
] as const

/** Latency p50/p95 and time to first token per bucket; empty buckets are gaps, not zeros. */
function LatencyChart({ data, range }: OverviewCardProps) {
  const { bucket, totals } = data.overall
  const rows = useMemo(() => latencyRows(data.overall), [data.overall])
  const hasData = rows.some((r) => r.p50 !== null)
  const summary = `Latency, ${rangeText(range)}: p50 ${formatDuration(totals.latencyMs.p50)}, p95 ${formatDuration(totals.latencyMs.p95)}, time to first token ${formatDuration(totals.ttftMs.p50)}`
  return (
    <ChartFrame
      title="Latency"
      testId="chart-latency"
      summary={summary}
      empty={hasData ? null : 'No latency to show yet'}
      legend={<SeriesLegend items={LINES.map((l) => ({ name: l.name, color: l.color }))} />}
    >
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid vertical={false} />
          <XAxis
            dataKey="t"
            tickFormatter={(t: number) => formatBucketTick(t, bucket)}
            tickLine={false}
            axisLine={{ stroke: 'var(--border)' }}
            minTickGap={24}
          />
          <YAxis
            tickFormatter={(v: number) => formatDuration(v)}
            tickLine={false}
            axisLine={false}
            width={64}
            domain={[0, (max: number) => (max > 0 ? max : 100)]}
          />
          <Tooltip
            content={({ active, payload, label }) => (
              <ChartTooltip
                active={active && hasData}
                label={formatBucketLabel(Number(label), bucket)}
                rows={(payload ?? []).map((p) => ({
                  name: String(p.name),
                  color: String(p.color),
                  value: formatDuration(p.value === null ? null : Number(p.value)),
                }))}
              />
            )}
          />
          {LINES.map((l) => (
            <Line
              key={l.key}
              name={l.name}
              dataKey={l.key}
              stroke={l.color}
              strokeWidth={2}
              dot={{ r: 3 }}
              connectNulls={false}
              isAnimationActive={ANIMATE}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </ChartFrame>
  )
}

export const latencyCard: OverviewCard = { id: 'latency', wide: false, Card: LatencyChart }
