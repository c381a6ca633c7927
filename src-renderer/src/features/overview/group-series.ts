import type { StatsResult } from '../../../../src-shared/admin-api'
import { type StackedSeries, stackedSeries } from '../../store/selectors'
import { seriesPalette } from './series-colors'

export interface GroupSeries {
  series: StackedSeries
  color(name: string): string
}

/**
 * A stacked series of the chosen grouping for one of the Overview's time charts. Every chart ranks groups by
 * requests and colours them from that ranking, so a model keeps one colour and one place in every legend, and
 * no two groups on screen share a colour.
 */
export function groupSeries(grouped: StatsResult, metric: 'requests' | 'costUsd' | 'errors'): GroupSeries {
  const series = stackedSeries(grouped, metric, 'requests')
  const ranking = metric === 'requests' ? series : stackedSeries(grouped, 'requests')
  return { series, color: seriesPalette(ranking.keys) }
}
