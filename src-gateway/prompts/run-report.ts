import type { CellBrief, RunDiff } from '../../src-shared/contract/compare.js'
import { csvLine } from '../store/csv.js'
import type { Cell, RunInfo } from './compare-types.js'

const CSV_HEADER = [
  'row',
  'column',
  'model',
  'prompt',
  'prompt_version',
  'vars',
  'status',
  'pass',
  'score',
  'reason',
  'latency_ms',
  'ttft_ms',
  'input_tokens',
  'output_tokens',
  'cost_usd',
  'rating',
  'request_id',
  'output',
  'error',
]

/** The reasons of failed assertions, joined: what the reader needs to see next to a FAIL. */
function failureReason(cell: Cell): string {
  return cell.assertions
    .filter((a) => !a.pass)
    .map((a) => `${a.type}: ${a.reason}`)
    .join('; ')
}

/** One line per cell, with status, score, reason and output in separate columns (never `[PASS] …` in the output). */
export function runCsv(run: RunInfo, cells: Cell[]): string {
  let out = csvLine(CSV_HEADER)
  for (const c of cells) {
    const column = run.columns[c.col]
    out += csvLine([
      c.row,
      column.label,
      column.model,
      column.promptName ?? '',
      column.promptVersion ?? '',
      JSON.stringify(run.rows[c.row]?.vars ?? {}),
      c.status,
      c.pass === null ? '' : c.pass ? 'pass' : 'fail',
      c.score ?? '',
      failureReason(c),
      c.latencyMs === null ? '' : Math.round(c.latencyMs),
      c.ttftMs === null ? '' : Math.round(c.ttftMs),
      c.inputTokens,
      c.outputTokens,
      c.costUsd,
      c.rating ?? '',
      c.requestId,
      c.output,
      c.error,
    ])
  }
  return out
}

const brief = (c: Cell): CellBrief => ({
  status: c.status,
  pass: c.pass,
  output: c.output,
  costUsd: c.costUsd,
  latencyMs: c.latencyMs,
})

function totals(cells: Cell[]) {
  const graded = cells.filter((c) => c.pass !== null)
  const latencies = cells.flatMap((c) => (c.latencyMs === null ? [] : [c.latencyMs]))
  return {
    passRate: graded.length ? graded.filter((c) => c.pass).length / graded.length : null,
    cost: cells.reduce((s, c) => s + (c.costUsd ?? 0), 0),
    latency: latencies.length ? latencies.reduce((s, l) => s + l, 0) / latencies.length : null,
  }
}

/**
 * Compares a run with an earlier one. Cells are matched by row and column label (prompt version and
 * model), so runs over the same dataset line up even when columns were added or reordered.
 */
export function diffRuns(run: RunInfo, cells: Cell[], earlier: RunInfo, earlierCells: Cell[]): RunDiff {
  const keyOf = (r: RunInfo, c: Cell) => `${c.row}\u0000${r.columns[c.col]?.label}`
  const before = new Map(earlierCells.map((c) => [keyOf(earlier, c), c]))
  const changed: RunDiff['changed'] = []
  const seen = new Set<string>()
  for (const c of cells) {
    const k = keyOf(run, c)
    seen.add(k)
    const b = before.get(k)
    if (b && b.pass === c.pass && b.output === c.output && b.status === c.status) continue
    changed.push({
      row: c.row,
      col: c.col,
      label: run.columns[c.col].label,
      before: b ? brief(b) : null,
      after: brief(c),
    })
  }
  for (const [k, b] of before) {
    if (!seen.has(k))
      changed.push({ row: b.row, col: -1, label: earlier.columns[b.col].label, before: brief(b), after: null })
  }
  const now = totals(cells)
  const then = totals(earlierCells)
  return {
    runId: run.id,
    againstRunId: earlier.id,
    passRateDelta: now.passRate !== null && then.passRate !== null ? now.passRate - then.passRate : null,
    costDeltaUsd: now.cost - then.cost,
    meanLatencyDeltaMs: now.latency !== null && then.latency !== null ? now.latency - then.latency : null,
    changed,
  }
}
