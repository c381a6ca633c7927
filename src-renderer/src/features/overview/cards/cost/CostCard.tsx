import { formatUsd, formatUsdAxis } from '../../../../format'
import { NO_REQUESTS, type OverviewCard, type OverviewCardProps, requestsText } from '../card'
import { GroupedBars, type GroupedBarsSpec } from '../grouped-bars'

/** A cost chart of zeros is not an empty range: local and unpriced models answer for $0. */
const allFree = (n: number) =>
  n === 1
    ? 'The 1 request in this range cost $0 (a free or local model)'
    : `All ${requestsText(n)} in this range cost $0 (free or local models)`

const SPEC: GroupedBarsSpec = {
  id: 'cost',
  metric: 'costUsd',
  noun: 'Cost',
  format: formatUsd,
  formatAxis: formatUsdAxis,
  integer: false,
  emptyText: (requests) => (requests === 0 ? NO_REQUESTS : allFree(requests)),
}

function CostCard(props: OverviewCardProps) {
  return <GroupedBars spec={SPEC} {...props} />
}

export const costCard: OverviewCard = { id: SPEC.id, wide: false, Card: CostCard }
