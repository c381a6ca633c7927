import { formatCount } from '../../../../format'
import { NO_REQUESTS, type OverviewCard, type OverviewCardProps, requestsText } from '../card'
import { GroupedBars, type GroupedBarsSpec } from '../grouped-bars'

const SPEC: GroupedBarsSpec = {
  id: 'errors',
  metric: 'errors',
  noun: 'Errors',
  format: formatCount,
  formatAxis: formatCount,
  integer: true,
  emptyText: (requests) => (requests === 0 ? NO_REQUESTS : `No errors in ${requestsText(requests)}`),
}

function ErrorsCard(props: OverviewCardProps) {
  return <GroupedBars spec={SPEC} {...props} />
}

export const errorsCard: OverviewCard = { id: SPEC.id, wide: false, Card: ErrorsCard }
