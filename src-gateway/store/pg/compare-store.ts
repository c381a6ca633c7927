import {
  type CellRow,
  type CompareStore,
  cellColumns,
  newRunValues,
  RUN_LEASE_MS,
  type RunRecord,
  toCell,
  toListItem,
  toRunInfo,
} from '../../prompts/compare-store.js'
import type { Cell } from '../../prompts/compare-types.js'
import { toRating } from '../../prompts/feedback-store.js'
import type { PgLifecycle } from './lifecycle.js'
import { inTransaction, type Queryable } from './queryable.js'
import { withPool } from './ready-pool.js'

const WHAT = 'comparison runs'

async function finishRun(tx: Queryable, runId: number, status: string): Promise<void> {
  await tx.query(
    `UPDATE compare_cells SET status = 'cancelled' WHERE run_id = $1 AND status IN ('queued', 'running')`,
    [runId],
  )
  await tx.query('UPDATE compare_runs SET status = $2, finished_at = $3, lease_until = NULL WHERE id = $1', [
    runId,
    status,
    new Date().toISOString(),
  ])
}

async function setCell(
  q: Queryable,
  runId: number,
  row: number,
  col: number,
  c: Partial<Omit<Cell, 'row' | 'col'>>,
): Promise<void> {
  const v = cellColumns(c)
  await q.query(
    `UPDATE compare_cells SET status = coalesce($4, status), output = $5, input_json = $6, input_tokens = $7,
       output_tokens = $8, cost_usd = $9, latency_ms = $10, ttft_ms = $11, error_json = $12, request_id = $13,
       is_pass = $14, score = $15, assertions_json = $16
     WHERE run_id = $1 AND row_idx = $2 AND col_idx = $3`,
    [
      runId,
      row,
      col,
      v.status,
      v.output,
      v.input_json,
      v.input_tokens,
      v.output_tokens,
      v.cost_usd,
      v.latency_ms,
      v.ttft_ms,
      v.error_json,
      v.request_id,
      v.is_pass,
      v.score,
      v.assertions_json,
    ],
  )
}

async function listCells(q: Queryable, runId: number): Promise<Cell[]> {
  // Feedback is in this same database: each cell's rating comes with it.
  const rows = await q.query<CellRow & { rating: number | null }>(
    `SELECT c.*, f.rating FROM compare_cells c LEFT JOIN feedback f ON f.request_id = c.request_id
     WHERE c.run_id = $1 ORDER BY c.row_idx, c.col_idx`,
    [runId],
  )
  return rows.map((r) => ({ ...toCell(r), rating: r.rating === null ? null : toRating(r.rating) }))
}

/**
 * Comparison runs in the shared Postgres (config `database`): a run started on one instance is listed, read,
 * exported and deleted on any; its cells are written by the instance running it, which holds its lease
 * (`lease_until`, see RUN_LEASE_MS) until it finishes.
 */
export function pgCompareStore(pg: PgLifecycle, clock: () => number = Date.now): CompareStore {
  const read = <T>(fn: (q: Queryable) => Promise<T>) => withPool(pg, WHAT, (pool) => fn(pool))
  const write = <T>(fn: (tx: Queryable) => Promise<T>) => withPool(pg, WHAT, (pool) => inTransaction(pool, fn))
  /** Cancels `running` runs whose lease has passed (SKIP LOCKED: two instances sweeping at once never wait). */
  const cancelStale = async (tx: Queryable) => {
    const stale = await tx.query<{ id: number }>(
      `SELECT id FROM compare_runs WHERE status = 'running' AND (lease_until IS NULL OR lease_until < $1)
       FOR UPDATE SKIP LOCKED`,
      [clock()],
    )
    for (const { id } of stale) await finishRun(tx, id, 'cancelled')
  }
  const updateCell: CompareStore['updateCell'] = (runId, row, col, c) => read((q) => setCell(q, runId, row, col, c))
  return {
    createRun: (run) =>
      write(async (tx) => {
        const [{ id }] = await tx.query<{ id: number }>(
          `INSERT INTO compare_runs
             (kind, name, status, spec_json, rows_json, columns_json, parent_run_id, workspace, created_at, lease_until)
           VALUES ($1, $2, 'running', $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
          [...newRunValues(run, new Date(clock())), clock() + RUN_LEASE_MS],
        )
        // Every cell in one statement: a 5000-cell matrix is one round trip, not 5000.
        const cells = [...run.rows.keys()].flatMap((r) => run.columns.map((col, c) => ({ r, c, col })))
        await tx.query(
          `INSERT INTO compare_cells (run_id, row_idx, col_idx, prompt_version_id, model, status)
           SELECT $1, r, c, v, m, 'queued' FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::text[]) AS t(r, c, v, m)`,
          [
            id,
            cells.map((x) => x.r),
            cells.map((x) => x.c),
            cells.map((x) => x.col.promptVersionId ?? null),
            cells.map((x) => x.col.model),
          ],
        )
        for (const cell of run.copied ?? []) await setCell(tx, id, cell.row, cell.col, cell)
        return id
      }),
    updateCell,
    setCellStatus: (runId, status, where) =>
      read(async (q) => {
        await q.query('UPDATE compare_cells SET status = $4 WHERE run_id = $1 AND row_idx = $2 AND col_idx = $3', [
          runId,
          where.row,
          where.col,
          status,
        ])
      }),
    finishRun: (runId, status) => write((tx) => finishRun(tx, runId, status)),
    failInterruptedRuns: () => write((tx) => cancelStale(tx)),
    keepRunning: (runIds) =>
      write(async (tx) => {
        if (runIds.length > 0) {
          await tx.query(
            `UPDATE compare_runs SET lease_until = $2 WHERE id = ANY($1::bigint[]) AND status = 'running'`,
            [[...runIds], clock() + RUN_LEASE_MS],
          )
        }
        await cancelStale(tx)
      }),
    listCells: (runId) => read((q) => listCells(q, runId)),
    getRun: (runId, cells) =>
      read(async (q) => {
        const [r] = await q.query<RunRecord>('SELECT * FROM compare_runs WHERE id = $1', [runId])
        return r ? toRunInfo(r, cells ?? (await listCells(q, runId))) : null
      }),
    runWorkspace: (runId) =>
      read(async (q) => {
        const [r] = await q.query<{ workspace: string }>('SELECT workspace FROM compare_runs WHERE id = $1', [runId])
        return r?.workspace ?? null
      }),
    listRuns: ({ kind, workspaces, limit, cursor }) =>
      read(async (q) => {
        const conditions: string[] = []
        const params: unknown[] = []
        if (kind) {
          params.push(kind)
          conditions.push(`kind = $${params.length}`)
        }
        if (workspaces) {
          params.push([...workspaces])
          conditions.push(`workspace = ANY($${params.length}::text[])`)
        }
        const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''
        const page = `${where ? `${where} AND` : 'WHERE'} id < $${params.length + 1}`
        const [[{ n: total }], rows] = await Promise.all([
          q.query<{ n: number }>(`SELECT count(*) AS n FROM compare_runs ${where}`, params),
          q.query<RunRecord>(`SELECT * FROM compare_runs ${page} ORDER BY id DESC LIMIT $${params.length + 2}`, [
            ...params,
            cursor ?? Number.MAX_SAFE_INTEGER,
            limit + 1,
          ]),
        ])
        const items = rows.slice(0, limit).map(toListItem)
        return { items, total, nextCursor: rows.length > limit ? String(items[items.length - 1].id) : null }
      }),
    deleteRun: (runId) =>
      read(async (q) => (await q.query('DELETE FROM compare_runs WHERE id = $1 RETURNING id', [runId])).length > 0),
    cellInWorkspaces: (requestId, workspaces) =>
      read(async (q) => {
        const rows = await q.query(
          `SELECT 1 FROM compare_cells c JOIN compare_runs r ON r.id = c.run_id
           WHERE c.request_id = $1 AND r.workspace = ANY($2::text[]) LIMIT 1`,
          [requestId, [...workspaces]],
        )
        return rows.length > 0
      }),
  }
}
