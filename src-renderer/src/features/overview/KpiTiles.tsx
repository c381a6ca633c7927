import type { StatsSummary } from '../../../../src-shared/admin-api'
import { formatCount, formatDuration, formatPercent, formatUsd, UNKNOWN } from '../../format'
import { changeRatio, errorRate } from '../../store/selectors'

interface Tile {
  id: string
  label: string
  value: number | null
  text: string
  previous: number | null
  /** Whether a rise is good news, for the words beside the arrow. */
  higherIsBetter: boolean | null
}

function tiles(t: StatsSummary, p: StatsSummary): Tile[] {
  const tokens = t.inputTokens + t.outputTokens
  const rate = errorRate(t)
  return [
    {
      id: 'requests',
      label: 'Requests',
      value: t.requests,
      text: formatCount(t.requests),
      previous: p.requests,
      higherIsBetter: null,
    },
    {
      id: 'tokens',
      label: 'Tokens (in + out)',
      value: tokens,
      text: formatCount(tokens),
      previous: p.inputTokens + p.outputTokens,
      higherIsBetter: null,
    },
    {
      id: 'cost',
      label: 'Cost',
      value: t.costUsd,
      text: formatUsd(t.costUsd),
      previous: p.costUsd,
      higherIsBetter: false,
    },
    {
      id: 'error-rate',
      label: 'Error rate',
      value: rate,
      text: rate === null ? UNKNOWN : formatPercent(t.errors, t.requests),
      previous: errorRate(p),
      higherIsBetter: false,
    },
    {
      id: 'latency-p50',
      label: 'Latency p50',
      value: t.latencyMs.p50,
      text: formatDuration(t.latencyMs.p50),
      previous: p.latencyMs.p50,
      higherIsBetter: false,
    },
    {
      id: 'latency-p95',
      label: 'Latency p95',
      value: t.latencyMs.p95,
      text: formatDuration(t.latencyMs.p95),
      previous: p.latencyMs.p95,
      higherIsBetter: false,
    },
    {
      id: 'ttft',
      label: 'TTFT p50',
      value: t.ttftMs.p50,
      text: formatDuration(t.ttftMs.p50),
      previous: p.ttftMs.p50,
      higherIsBetter: false,
    },
  ]
}

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
export function KpiTiles(props: { totals: StatsSummary; previous: StatsSummary; periodLabel: string }) {
  return (
    <section className="kpis" aria-label="Key numbers">
      {tiles(props.totals, props.previous).map((t) => (
        <div className="kpi" key={t.id} data-testid={`kpi-${t.id}`} data-value={t.value ?? ''}>
          <div className="kpi-label">{t.label}</div>
          <div className="kpi-value">{t.text}</div>
          <Change tile={t} periodLabel={props.periodLabel} />
        </div>
      ))}
    </section>
  )
}
