import { useMemo } from 'react'
import { formatCount } from '../../../../format'
import { groupSeries } from '../../group-series'
import { StackedBarChart } from '../../StackedBarChart'
import { GROUP_BY_LABELS, NO_REQUESTS, type OverviewCard, type OverviewCardProps, rangeText } from '../card'

function RequestsCard({ data, range, groupBy }: OverviewCardProps) {
  const { series, color } = useMemo(() => groupSeries(data.grouped, 'requests'), [data.grouped])
  return (
    <StackedBarChart
      title={`Requests by ${GROUP_BY_LABELS[groupBy].toLowerCase()}`}
      testId="chart-requests"
      series={series}
      bucket={data.overall.bucket}
      format={formatCount}
      formatAxis={formatCount}
      rangeLabel={rangeText(range)}
      integer
      color={color}
      emptyText={NO_REQUESTS}
    />
  )
}

export const requestsCard: OverviewCard = { id: 'requests', wide: false, Card: RequestsCard }
