import type { ComponentType } from 'react'
import type { StatsGroupBy } from '../../../../../src-shared/admin-api'
import { hrefFor } from '../../../app/router'
import { countNoun } from '../../../count-noun'
import type { DashboardData } from '../../../queries/overview'
import { TIME_RANGES, type TimeRange } from '../../../store/dashboard-slice'

/** What every Overview card is drawn from: the one Overview answer and the page's range and grouping. */
export interface OverviewCardProps {
  data: DashboardData
  range: TimeRange
  groupBy: StatsGroupBy
}

/**
 * One card on the Overview: its own folder under cards/ (component, css, data selector) and one line in
 * cards/index.ts. The page lays the cards out in a two-column grid in list order; `wide` takes a whole row.
 */
export interface OverviewCard {
  id: string
  wide: boolean
  Card: ComponentType<OverviewCardProps>
}

export const GROUP_BY_LABELS: Record<StatsGroupBy, string> = { model: 'Model', provider: 'Provider', key: 'Key' }

/** "last 24 hours": the range as the cards' sentences say it. */
export const rangeText = (range: TimeRange): string => TIME_RANGES[range].label.toLowerCase()

/** The Logs page showing the range's rows that match `filter`: where a card's numbers lead. */
export const logsHref = (range: TimeRange, filter: Record<string, string>): string =>
  hrefFor('/logs', { range, ...filter })

export const NO_REQUESTS = 'No requests in this range yet'
export const requestsText = (n: number): string => countNoun(n, 'request')
