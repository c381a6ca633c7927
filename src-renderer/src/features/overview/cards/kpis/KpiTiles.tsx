import type { TimeRange } from '../../../../store/dashboard-slice'
import { changeRatio } from '../../../../store/selectors'
import type { OverviewCard, OverviewCardProps } from '../card'
import { kpiTiles, type Tile } from './select'

const PERIOD: Record<TimeRange, string> = { '1h': 'hour', '24h': '24 h', '7d': '7 days', '30d': '30 days' }

function Change({ tile, periodLabel }: { tile: Tile; periodLabel: string }) {
  const ratio = tile.value === null || tile.previous === null ? null : changeRatio(tile.value, tile.previous)
  if (ratio === null) return <div className="kpi-change">no earlier data</div>
  if (ratio === 0) return <div className="kpi-change">same as previous {periodLabel}</div>
  const up = ratio > 0
  const good = tile.higherIsBetter === null ? null : up === tile.higherIsBetter
  return (
    <div className={`kpi-change ${good === null ? '' : good ? 'success' : 'error'}`}>
      {up ? '▲' : '▼'} {Math.abs(ratio * 100).toFixed(ratio > -0.1 && ratio < 0.1 ? 1 : 0)}% vs previous {periodLabel}
    </div>
  )
}

/** The headline numbers; `data-value` carries the raw number for tests and copy. */
function KpiTiles({ data, range }: OverviewCardProps) {
  return (
    <section className="kpis" aria-label="Key numbers">
      {kpiTiles(data.overall.totals, data.previous).map((t) => (
        <div className="kpi" key={t.id} data-testid={`kpi-${t.id}`} data-value={t.value ?? ''}>
          <div className="kpi-label">{t.label}</div>
          <div className="kpi-value">{t.text}</div>
          <Change tile={t} periodLabel={PERIOD[range]} />
        </div>
      ))}
    </section>
  )
}

export const kpisCard: OverviewCard = { id: 'kpis', wide: true, Card: KpiTiles }
