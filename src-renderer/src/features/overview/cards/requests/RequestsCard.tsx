import { formatCount } from '../../../../format'
import { NO_REQUESTS } from '../card'
import { groupedBarsCard } from '../grouped-bars'

export const requestsCard = groupedBarsCard({
  id: 'requests',
  metric: 'requests',
  noun: 'Requests',
  format: formatCount,
  formatAxis: formatCount,
  integer: true,
  emptyText: () => NO_REQUESTS,
})
