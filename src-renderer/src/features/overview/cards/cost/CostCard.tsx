import { formatUsd, formatUsdAxis } from '../../../../format'
import { NO_REQUESTS, requestsText } from '../card'
import { groupedBarsCard } from '../grouped-bars'

/** A cost chart of zeros is not an empty range: local and unpriced models answer for $0. */
const allFree = (n: number) =>
  n === 1
    ? 'The 1 request in this range cost $0 (a free or local model)'
    : `All ${requestsText(n)} in this range cost $0 (free or local models)`

export const costCard = groupedBarsCard({
  id: 'cost',
  metric: 'costUsd',
  noun: 'Cost',
  format: formatUsd,
  formatAxis: formatUsdAxis,
  integer: false,
  emptyText: (requests) => (requests === 0 ? NO_REQUESTS : allFree(requests)),
})
