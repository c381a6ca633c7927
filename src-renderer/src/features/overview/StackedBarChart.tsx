import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { StatsBucket } from '../../../../src-shared/admin-api'
import { formatBucketLabel, formatBucketTick } from '../../format'
import type { StackedSeries } from '../../store/selectors'
import { ChartFrame, ChartTooltip, SeriesLegend } from './ChartFrame'
import { ANIMATE } from './series-colors'

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
  /** The colour of each series, shared by the charts shown together. */
  color(name: string): string
  /** What a total of zero means here (no requests at all, no errors, nothing paid). */
  emptyText: string
}) {
  const { series, bucket, color } = props
  const byKey = new Map(series.keys.map((k) => [k, series.rows.reduce((sum, r) => sum + (r.values[k] ?? 0), 0)]))
  const total = [...byKey.values()].reduce((a, b) => a + b, 0)
  const top = [...byKey].sort((a, b) => b[1] - a[1])[0]?.[0]
  const summary = `${props.title}, ${props.rangeLabel}, total ${props.format(total)}${top && total > 0 ? `, largest ${top}` : ''}`
  return (
    <ChartFrame
      title={props.title}
      testId={props.testId}
      summary={summary}
      empty={total === 0 ? props.emptyText : null}
      actions={
        <span className="muted num" style={{ fontWeight: 400 }}>
          {props.format(total)}
        </span>
      }
      legend={<SeriesLegend items={series.keys.map((k) => ({ name: k, color: color(k) }))} />}
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
                  .map((p) => ({ name: String(p.name), color: color(String(p.name)), v: Number(p.value) }))
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
              fill={color(k)}
              isAnimationActive={ANIMATE}
              maxBarSize={48}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </ChartFrame>
  )
}
