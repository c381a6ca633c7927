import { useMemo } from 'react'
import { groupSeries } from '../group-series'
import { StackedBarChart } from '../StackedBarChart'
import { GROUP_BY_LABELS, type OverviewCardProps, rangeText } from './card'

/** What a bar chart of one metric by the page's grouping states: the rest is the same for every such card. */
export interface GroupedBarsSpec {
  id: string
  metric: 'requests' | 'costUsd' | 'errors'
  /** "Requests": the title reads "Requests by model". */
  noun: string
  format(v: number): string
  formatAxis(v: number): string
  integer: boolean
  /** What an empty chart says, given the range's request count. */
  emptyText(requests: number): string
}

/** A stacked bar chart of `spec.metric` per bucket, one colour per group (model, provider or key). */
export function GroupedBars({ spec, data, range, groupBy }: OverviewCardProps & { spec: GroupedBarsSpec }) {
  const { series, color } = useMemo(() => groupSeries(data.grouped, spec.metric), [data.grouped, spec.metric])
  return (
    <StackedBarChart
      title={`${spec.noun} by ${GROUP_BY_LABELS[groupBy].toLowerCase()}`}
      testId={`chart-${spec.id}`}
      series={series}
      bucket={data.overall.bucket}
      format={spec.format}
      formatAxis={spec.formatAxis}
      rangeLabel={rangeText(range)}
      integer={spec.integer}
      color={color}
      emptyText={spec.emptyText(data.overall.totals.requests)}
    />
  )
}
