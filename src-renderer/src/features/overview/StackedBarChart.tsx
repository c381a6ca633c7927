import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { StatsBucket } from '../../../../src-shared/admin-api'
import { formatBucketLabel, formatBucketTick } from '../../format'
import type { StackedSeries } from '../../store/selectors'
import { ChartFrame, ChartTooltip, SeriesLegend } from './ChartFrame'
import { ANIMATE, seriesColor } from './series-colors'

/** A time series stacked by group (model, provider or key), one bar per bucket. */
export function StackedBarChart(props: {
  title: string
  testId: string
  series: StackedSeries
  bucket: StatsBucket
  format(v: number): string
  formatAxis(v: number): string
  rangeLabel: string
  /** Counts get whole-number ticks; money does not. */
  integer: boolean
}) {
  const { series, bucket } = props
  const total = series.rows.reduce((sum, r) => sum + Object.values(r.values).reduce((a, b) => a + b, 0), 0)
  const top = series.keys[0]
  const summary = `${props.title}, ${props.rangeLabel}, total ${props.format(total)}${top && total > 0 ? `, largest ${top}` : ''}`
  return (
    <ChartFrame
      title={props.title}
      testId={props.testId}
      summary={summary}
      empty={total === 0 ? 'No requests in this range yet' : null}
      actions={
        <span className="muted num" style={{ fontWeight: 400 }}>
          {props.format(total)}
        </span>
      }
      legend={<SeriesLegend items={series.keys.map((k) => ({ name: k, color: seriesColor(k) }))} />}
    >
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={series.rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid vertical={false} />
          <XAxis
            dataKey="t"
            tickFormatter={(t: number) => formatBucketTick(t, bucket)}
            tickLine={false}
            axisLine={{ stroke: 'var(--border)' }}
            minTickGap={24}
          />
          <YAxis
            tickFormatter={props.formatAxis}
            tickLine={false}
            axisLine={false}
            width={56}
            allowDecimals={!props.integer}
            domain={[0, (max: number) => (max > 0 ? max : 1)]}
          />
          <Tooltip
            cursor={{ fill: 'var(--surface-2)' }}
            content={({ active, payload, label }) => (
              <ChartTooltip
                active={active && total > 0}
                label={formatBucketLabel(Number(label), bucket)}
                rows={(payload ?? [])
                  .map((p) => ({ name: String(p.name), color: seriesColor(String(p.name)), v: Number(p.value) }))
                  .filter((r) => r.v > 0)
                  .sort((a, b) => b.v - a.v)
                  .map((r) => ({ name: r.name, color: r.color, value: props.format(r.v) }))}
              />
            )}
          />
          {series.keys.map((k) => (
            <Bar
              key={k}
              name={k}
              dataKey={(row: StackedSeries['rows'][number]) => row.values[k] ?? 0}
              stackId="stack"
              fill={seriesColor(k)}
              isAnimationActive={ANIMATE}
              maxBarSize={48}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </ChartFrame>
  )
}
