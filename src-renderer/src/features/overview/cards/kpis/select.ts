import type { StatsSummary } from '../../../../../../src-shared/admin-api'
import { formatCount, formatDuration, formatPercent, formatUsd, UNKNOWN } from '../../../../format'
import { errorRate } from '../../../../store/selectors'

export interface Tile {
  id: string
  label: string
  value: number | null
  text: string
  previous: number | null
  /** Whether a rise is good news, for the words beside the arrow. */
  higherIsBetter: boolean | null
}

/** The headline numbers of a range beside the same numbers for the period before it. */
export function kpiTiles(t: StatsSummary, p: StatsSummary): Tile[] {
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
