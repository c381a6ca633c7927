import { formatCount } from '../../../../format'
import { NO_REQUESTS, type OverviewCard, type OverviewCardProps } from '../card'
import { GroupedBars, type GroupedBarsSpec } from '../grouped-bars'

const SPEC: GroupedBarsSpec = {
  id: 'requests',
  metric: 'requests',
  noun: 'Requests',
  format: formatCount,
  formatAxis: formatCount,
  integer: true,
  emptyText: () => NO_REQUESTS,
}

function RequestsCard(props: OverviewCardProps) {
  return <GroupedBars spec={SPEC} {...props} />
}

export const requestsCard: OverviewCard = { id: SPEC.id, wide: false, Card: RequestsCard }
