import { useMemo } from 'react'
import { formatCount } from '../../../../format'
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

function ErrorsCard({ data, range, groupBy }: OverviewCardProps) {
  const { series, color } = useMemo(() => groupSeries(data.grouped, 'errors'), [data.grouped])
  const requests = data.overall.totals.requests
  return (
    <StackedBarChart
      title={`Errors by ${GROUP_BY_LABELS[groupBy].toLowerCase()}`}
      testId="chart-errors"
      series={series}
      bucket={data.overall.bucket}
      format={formatCount}
      formatAxis={formatCount}
      rangeLabel={rangeText(range)}
      integer
      color={color}
      emptyText={requests === 0 ? NO_REQUESTS : `No errors in ${requestsText(requests)}`}
    />
  )
}

export const errorsCard: OverviewCard = { id: 'errors', wide: false, Card: ErrorsCard }
