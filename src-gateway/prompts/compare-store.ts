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

/** A compare_cells row: the same columns on SQLite and Postgres. */
export interface CellRow {
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

/** A compare_runs row (Postgres adds `lease_until`, which no answer shows). */
export interface RunRecord {
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

export function toCell(r: CellRow): Omit<Cell, 'rating'> {
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
export interface NewRun {
  spec: RunSpec
  rows: RunRow[]
  columns: RunColumn[]
  parentRunId?: number
  copied?: Cell[]
  workspace?: string
}

/**
 * The values of a new compare_runs row on both backends, in the order of
 * (kind, name, spec_json, rows_json, columns_json, parent_run_id, workspace, created_at).
 */
export function newRunValues(run: NewRun, createdAt: Date) {
  return [
    run.spec.kind,
    run.spec.name ?? null,
    JSON.stringify(run.spec),
    JSON.stringify(run.rows),
    JSON.stringify(run.columns),
    run.parentRunId ?? null,
    run.workspace ?? DEFAULT_WORKSPACE,
    createdAt.toISOString(),
  ] as const
}

export function createRun(db: Db, run: NewRun): number {
  return db.transaction(() => {
    const { lastInsertRowid } = db
      .prepare(
        `INSERT INTO compare_runs
           (kind, name, status, spec_json, rows_json, columns_json, parent_run_id, workspace, created_at)
         VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?)`,
      )
      .run(...newRunValues(run, new Date()))
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

/** The compare_cells columns a finished cell sets, as stored on both backends (toCell reads them back). */
export function cellColumns(c: Partial<Omit<Cell, 'row' | 'col'>>) {
  return {
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
  }
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
  ).run({ run_id: runId, row_idx: row, col_idx: col, ...cellColumns(c) })
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
  return r ? toRunInfo(r, cells) : null
}

/** A run row with its cells as the API shows it (both backends). */
export function toRunInfo(r: RunRecord, cells: Cell[]): RunInfo {
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
  const items = rows.slice(0, limit).map(toListItem)
  return { items, total, nextCursor: rows.length > limit ? String(items[items.length - 1].id) : null }
}

/** A run row as the runs list shows it (both backends). */
export function toListItem(r: RunRecord): RunListItem {
  return {
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
  }
}

export function deleteRun(db: Db, runId: number): boolean {
  return db.prepare('DELETE FROM compare_runs WHERE id = ?').run(runId).changes > 0
}

/** Whether `requestId` is a cell of a run in one of `workspaces` (a member may rate their workspaces' cells). */
export function cellInWorkspaces(db: Db, requestId: string, workspaces: readonly string[]): boolean {
  const cell = db
    .prepare(
      `SELECT 1 FROM compare_cells c JOIN compare_runs r ON r.id = c.run_id
       WHERE c.request_id = ? AND r.workspace IN (SELECT value FROM json_each(?)) LIMIT 1`,
    )
    .get(requestId, JSON.stringify(workspaces))
  return cell !== undefined
}

/**
 * How long a `running` run on the shared database stays its instance's without a renewal. The runner renews every
 * RUN_LEASE_MS / 3, so two missed renewals (a stalled event loop, a database blip) do not hand a live run over; an
 * instance that stopped mid-run has its runs cancelled by another's renewal at most this long after.
 */
export const RUN_LEASE_MS = 30_000

/**
 * Comparison runs and their cells, whichever database holds them: the data folder's SQLite or the shared Postgres
 * (config `database`). Every method's meaning is the SQLite function of the same name's.
 */
export interface CompareStore {
  createRun(run: NewRun): Promise<number>
  updateCell(runId: number, row: number, col: number, c: Partial<Omit<Cell, 'row' | 'col'>>): Promise<void>
  setCellStatus(runId: number, status: CellStatus, where: { row: number; col: number }): Promise<void>
  finishRun(runId: number, status: RunStatus): Promise<void>
  /**
   * Cancels runs whose process stopped mid-run: on SQLite every `running` one (one process owns the file); on
   * Postgres those whose lease has passed (another instance may be running the rest).
   */
  failInterruptedRuns(): Promise<void>
  /**
   * Postgres: renews the lease of the runs this instance is running, and cancels `running` runs whose lease has
   * passed (their instance stopped). Nothing to do on SQLite, where no other process runs this file's runs.
   */
  keepRunning(runIds: readonly number[]): Promise<void>
  listCells(runId: number): Promise<Cell[]>
  getRun(runId: number, cells?: Cell[]): Promise<RunInfo | null>
  runWorkspace(runId: number): Promise<string | null>
  listRuns(query: {
    kind?: RunKind
    workspaces?: readonly string[]
    limit: number
    cursor?: number
  }): Promise<{ items: RunListItem[]; total: number; nextCursor: string | null }>
  deleteRun(runId: number): Promise<boolean>
  cellInWorkspaces(requestId: string, workspaces: readonly string[]): Promise<boolean>
}

/** Today's SQLite functions behind the interface, unchanged. */
export function sqliteCompareStore(db: Db): CompareStore {
  return {
    createRun: async (run) => createRun(db, run),
    updateCell: async (runId, row, col, c) => updateCell(db, runId, row, col, c),
    setCellStatus: async (runId, status, where) => setCellStatus(db, runId, status, where),
    finishRun: async (runId, status) => finishRun(db, runId, status),
    failInterruptedRuns: async () => failInterruptedRuns(db),
    keepRunning: async () => undefined,
    listCells: async (runId) => listCells(db, runId),
    getRun: async (runId, cells) => getRun(db, runId, cells),
    runWorkspace: async (runId) => runWorkspace(db, runId),
    listRuns: async (query) => listRuns(db, query),
    deleteRun: async (runId) => deleteRun(db, runId),
    cellInWorkspaces: async (requestId, workspaces) => cellInWorkspaces(db, requestId, workspaces),
  }
}
