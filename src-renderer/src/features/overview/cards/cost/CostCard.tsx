import { useMemo } from 'react'
import { formatUsd, formatUsdAxis } from '../../../../format'
import { groupSeries } from '../../group-series'
import { StackedBarChart } from '../../StackedBarChart'
import {
  GROUP_BY_LABELS,
  NO_REQUESTS,
  type OverviewCard,
  type OverviewCardProps,
  rangeText,
  requestsText,
} from '../card'

/** A cost chart of zeros is not an empty range: local and unpriced models answer for $0. */
const allFree = (n: number) =>
  n === 1
    ? 'The 1 request in this range cost $0 (a free or local model)'
    : `All ${requestsText(n)} in this range cost $0 (free or local models)`

function CostCard({ data, range, groupBy }: OverviewCardProps) {
  const { series, color } = useMemo(() => groupSeries(data.grouped, 'costUsd'), [data.grouped])
  const requests = data.overall.totals.requests
  return (
    <StackedBarChart
      title={`Cost by ${GROUP_BY_LABELS[groupBy].toLowerCase()}`}
      testId="chart-cost"
      series={series}
      bucket={data.overall.bucket}
      format={formatUsd}
      formatAxis={formatUsdAxis}
      rangeLabel={rangeText(range)}
      integer={false}
      color={color}
      emptyText={requests === 0 ? NO_REQUESTS : allFree(requests)}
    />
  )
}

export const costCard: OverviewCard = { id: 'cost', wide: false, Card: CostCard }
