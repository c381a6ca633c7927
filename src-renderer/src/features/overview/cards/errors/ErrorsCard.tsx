import { formatCount } from '../../../../format'
import { NO_REQUESTS, requestsText } from '../card'
import { groupedBarsCard } from '../grouped-bars'

export const errorsCard = groupedBarsCard({
  id: 'errors',
  metric: 'errors',
  noun: 'Errors',
  format: formatCount,
  formatAxis: formatCount,
  integer: true,
  emptyText: (requests) => (requests === 0 ? NO_REQUESTS : `No errors in ${requestsText(requests)}`),
})
