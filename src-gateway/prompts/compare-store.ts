import type { RunListItem } from '../../src-shared/contract/compare.js'
import { DEFAULT_WORKSPACE } from '../../src-shared/contract/workspaces.js'
import type { Db } from '../store/db.js'
import type {
  Cell,
  CellStatus,
  ColumnSummary,
  RunColumn,
  RunInfo,
  RunKind,
  RunRow,
  RunSpec,
  RunStatus,
} from './compare-types.js'
import { ratingsOf } from './feedback-store.js'

interface CellRow {
  row_idx: number
  col_idx: number
  model: string
  status: CellStatus
  output: string | null
  input_json: string | null
  input_tokens: number | null
  output_tokens: number | null
  cost_usd: number | null
  latency_ms: number | null
  ttft_ms: number | null
  error_json: string | null
  request_id: string | null
  is_pass: number | null
  score: number | null
  assertions_json: string | null
}

interface RunRecord {
  id: number
  kind: RunKind
  name: string | null
  status: RunStatus
  spec_json: string
  rows_json: string
  columns_json: string
  parent_run_id: number | null
  workspace: string
  created_at: string
  finished_at: string | null
}

function toCell(r: CellRow): Omit<Cell, 'rating'> {
  return {
    row: r.row_idx,
    col: r.col_idx,
    model: r.model,
    status: r.status,
    output: r.output,
    input: r.input_json ? JSON.parse(r.input_json) : null,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    costUsd: r.cost_usd,
    latencyMs: r.latency_ms,
    ttftMs: r.ttft_ms,
    error: r.error_json ? (JSON.parse(r.error_json) as { message: string }).message : null,
    requestId: r.request_id,
    pass: r.is_pass === null ? null : r.is_pass === 1,
    score: r.score,
    assertions: r.assertions_json ? JSON.parse(r.assertions_json) : [],
  }
}

/**
 * Creates a run (in `workspace`, else `default`) with every cell queued; `copied` cells (from a parent run) are
 * stored finished as given.
 */
export function createRun(
  db: Db,
  run: {
    spec: RunSpec
    rows: RunRow[]
    columns: RunColumn[]
    parentRunId?: number
    copied?: Cell[]
    workspace?: string
  },
): number {
  return db.transaction(() => {
    const { lastInsertRowid } = db
      .prepare(
        `INSERT INTO compare_runs
           (kind, name, status, spec_json, rows_json, columns_json, parent_run_id, workspace, created_at)
         VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        run.spec.kind,
        run.spec.name ?? null,
        JSON.stringify(run.spec),
        JSON.stringify(run.rows),
        JSON.stringify(run.columns),
        run.parentRunId ?? null,
        run.workspace ?? DEFAULT_WORKSPACE,
        new Date().toISOString(),
      )
    const id = Number(lastInsertRowid)
    const insert = db.prepare(
      `INSERT INTO compare_cells (run_id, row_idx, col_idx, prompt_version_id, model, status) VALUES (?, ?, ?, ?, ?, 'queued')`,
    )
    for (const r of run.rows.keys()) {
      for (const [c, col] of run.columns.entries()) insert.run(id, r, c, col.promptVersionId ?? null, col.model)
    }
    for (const cell of run.copied ?? []) updateCell(db, id, cell.row, cell.col, cell)
    return id
  })()
}

export function updateCell(
  db: Db,
  runId: number,
  row: number,
  col: number,
  c: Partial<Omit<Cell, 'row' | 'col'>>,
): void {
  db.prepare(
    `UPDATE compare_cells SET status = coalesce(@status, status), output = @output, input_json = @input_json,
       input_tokens = @input_tokens, output_tokens = @output_tokens, cost_usd = @cost_usd, latency_ms = @latency_ms,
       ttft_ms = @ttft_ms, error_json = @error_json, request_id = @request_id, is_pass = @is_pass, score = @score,
       assertions_json = @assertions_json
     WHERE run_id = @run_id AND row_idx = @row_idx AND col_idx = @col_idx`,
  ).run({
    run_id: runId,
    row_idx: row,
    col_idx: col,
    status: c.status ?? null,
    output: c.output ?? null,
    input_json: c.input ? JSON.stringify(c.input) : null,
    input_tokens: c.inputTokens ?? null,
    output_tokens: c.outputTokens ?? null,
    cost_usd: c.costUsd ?? null,
    latency_ms: c.latencyMs ?? null,
    ttft_ms: c.ttftMs ?? null,
    error_json: c.error ? JSON.stringify({ message: c.error }) : null,
    request_id: c.requestId ?? null,
    is_pass: c.pass === undefined || c.pass === null ? null : c.pass ? 1 : 0,
    score: c.score ?? null,
    assertions_json: c.assertions?.length ? JSON.stringify(c.assertions) : null,
  })
}

export function setCellStatus(db: Db, runId: number, status: CellStatus, where: { row: number; col: number }): void {
  db.prepare('UPDATE compare_cells SET status = ? WHERE run_id = ? AND row_idx = ? AND col_idx = ?').run(
    status,
    runId,
    where.row,
    where.col,
  )
}

/** Ends a run; cells that never finished are marked cancelled. */
export function finishRun(db: Db, runId: number, status: RunStatus): void {
  db.transaction(() => {
    db.prepare(
      `UPDATE compare_cells SET status = 'cancelled' WHERE run_id = ? AND status IN ('queued', 'running')`,
    ).run(runId)
    db.prepare('UPDATE compare_runs SET status = ?, finished_at = ? WHERE id = ?').run(
      status,
      new Date().toISOString(),
      runId,
    )
  })()
}

/** Runs left `running` by a process that stopped mid-run can never finish now. */
export function failInterruptedRuns(db: Db): void {
  for (const { id } of db.prepare(`SELECT id FROM compare_runs WHERE status = 'running'`).all() as { id: number }[]) {
    finishRun(db, id, 'cancelled')
  }
}

export function listCells(db: Db, runId: number): Cell[] {
  const rows = db
    .prepare('SELECT * FROM compare_cells WHERE run_id = ? ORDER BY row_idx, col_idx')
    .all(runId) as CellRow[]
  const cells = rows.map(toCell)
  const ratings = ratingsOf(
    db,
    cells.flatMap((c) => (c.requestId ? [c.requestId] : [])),
  )
  return cells.map((c) => ({ ...c, rating: c.requestId ? (ratings.get(c.requestId) ?? null) : null }))
}

function summarize(columns: RunColumn[], cells: Cell[]): ColumnSummary[] {
  return columns.map((column, col) => {
    const mine = cells.filter((c) => c.col === col)
    const done = mine.filter((c) => c.status === 'done')
    const graded = done.filter((c) => c.pass !== null)
    const latencies = done.flatMap((c) => (c.latencyMs === null ? [] : [c.latencyMs]))
    return {
      col,
      label: column.label,
      cells: mine.length,
      done: done.length,
      errors: mine.filter((c) => c.status === 'error').length,
      passRate: graded.length ? graded.filter((c) => c.pass).length / graded.length : null,
      totalCostUsd: mine.reduce((s, c) => s + (c.costUsd ?? 0), 0),
      meanLatencyMs: latencies.length ? latencies.reduce((s, l) => s + l, 0) / latencies.length : null,
    }
  })
}

export function getRun(db: Db, runId: number, cells: Cell[] = listCells(db, runId)): RunInfo | null {
  const r = db.prepare('SELECT * FROM compare_runs WHERE id = ?').get(runId) as RunRecord | undefined
  if (!r) return null
  const columns = JSON.parse(r.columns_json) as RunColumn[]
  const count = (s: CellStatus) => cells.filter((c) => c.status === s).length
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    status: r.status,
    parentRunId: r.parent_run_id,
    workspace: r.workspace,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    spec: JSON.parse(r.spec_json),
    rows: JSON.parse(r.rows_json),
    columns,
    progress: {
      total: cells.length,
      finished: cells.length - count('queued') - count('running'),
      queued: count('queued'),
      running: count('running'),
      errors: count('error'),
      cancelled: count('cancelled'),
      costUsd: cells.reduce((s, c) => s + (c.costUsd ?? 0), 0),
    },
    summaries: summarize(columns, cells),
  }
}

/** The workspace a run belongs to; null when there is no such run. */
export function runWorkspace(db: Db, runId: number): string | null {
  const row = db.prepare('SELECT workspace FROM compare_runs WHERE id = ?').get(runId) as
    | { workspace: string }
    | undefined
  return row?.workspace ?? null
}

/** Runs, newest first; `kind` keeps one kind, `workspaces` (undefined: all) those of these workspaces. */
export function listRuns(
  db: Db,
  {
    kind,
    workspaces,
    limit,
    cursor,
  }: { kind?: RunKind; workspaces?: readonly string[]; limit: number; cursor?: number },
): { items: RunListItem[]; total: number; nextCursor: string | null } {
  const conditions: string[] = []
  const params: unknown[] = []
  if (kind) {
    conditions.push('kind = ?')
    params.push(kind)
  }
  if (workspaces) {
    conditions.push('workspace IN (SELECT value FROM json_each(?))')
    params.push(JSON.stringify(workspaces))
  }
  const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''
  const { n: total } = db.prepare(`SELECT count(*) AS n FROM compare_runs ${where}`).get(...params) as { n: number }
  const page = `${where ? `${where} AND` : 'WHERE'} id < ?`
  const rows = db
    .prepare(`SELECT * FROM compare_runs ${page} ORDER BY id DESC LIMIT ?`)
    .all(...params, cursor ?? Number.MAX_SAFE_INTEGER, limit + 1) as RunRecord[]
  const items = rows.slice(0, limit).map((r) => ({
    id: r.id,
    kind: r.kind,
    name: r.name,
    status: r.status,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    rows: (JSON.parse(r.rows_json) as unknown[]).length,
    columns: (JSON.parse(r.columns_json) as RunColumn[]).map((c) => c.label),
    parentRunId: r.parent_run_id,
    workspace: r.workspace,
  }))
  return { items, total, nextCursor: rows.length > limit ? String(items[items.length - 1].id) : null }
}

export function deleteRun(db: Db, runId: number): boolean {
  return db.prepare('DELETE FROM compare_runs WHERE id = ?').run(runId).changes > 0
}
