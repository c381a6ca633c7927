import type { McpActivity } from '../../../src-shared/contract/stats.js'
import type { Sketch } from '../latency-sketch.js'
import {
  Accumulator,
  BUCKET_MS,
  type CellLevel,
  GROUP_DIM,
  hitTally,
  isWorkspaceDim,
  mcpSummary,
  memberCellDims,
  type OverviewQuery,
  type OverviewResult,
  planRange,
  type RangeExtras,
  resultOf,
  type Series,
  type SpendQuery,
  type SpendResult,
  type StatsBucket,
  type StatsGroupBy,
  type StatsQuery,
  type StatsResult,
  spendOf,
  totalsOf,
} from '../log-stats.js'
import {
  COUNTER_COLUMNS,
  DAY_MS,
  dimValue,
  HOUR_MS,
  hourCellsSince,
  isModelCall,
  isOptionalDim,
  ROW_COLUMNS,
  type RollupDim,
  type RollupRow,
} from '../rollups.js'
import type { PgPool } from './pool.js'

// The dashboards on Postgres (config `database`): the same reports as log-stats.ts over the same rows, read from the
// hour and day cells the writer upserts in its flush transaction (pg/log-writer.ts) and, for the partial hours at a
// range's edges, from the rows themselves. Postgres keeps no minute cells, so a 5-minute series reads its rows. Each
// statement is parameterised and bounded by the pool's statement_timeout; cells and rows are summed in this process
// with log-stats.ts's own accumulators, so the answers are SQLite's (log-stats.test.ts's twin proves it).

/**
 * Between the workspace and the value in a per-workspace cell's value (`ws:<dim>` cells: rollups.ts writes NUL there,
 * which Postgres text cannot hold). A unit separator cannot appear in a workspace name or a header-borne value.
 */
export const PG_CELL_SEPARATOR = '\u001f'

const COUNTER_SQL = Object.values(COUNTER_COLUMNS).join(', ')
/** Rows read per statement at a range's edges (at most two partial hours, or a 5-minute series' range). */
const ROW_SLICE_MS = HOUR_MS
const iso = (t: number) => new Date(t).toISOString()

type PgRollupRow = Omit<RollupRow, 'created_at'> & { created_at: number }
type CellRow = Record<string, unknown> & {
  start: number
  dim: string
  value: string
  latency_sketch: Record<string, number> | null
  ttft_sketch: Record<string, number> | null
}

const addJsonSketch = (into: Sketch, json: Record<string, number> | null) => {
  if (!json) return
  for (const [bin, n] of Object.entries(json)) into.set(Number(bin), (into.get(Number(bin)) ?? 0) + Number(n))
}

/** A cell as log-stats' Accumulator takes it (start, dim, value, counters, sketches), its JSONB sketches added after. */
function addCell(acc: Accumulator, c: CellRow) {
  const raw: unknown[] = [c.start, c.dim, c.value, ...Object.values(COUNTER_COLUMNS).map((col) => Number(c[col]))]
  raw.push(null, null)
  acc.addCell(raw)
  addJsonSketch(acc.latency, c.latency_sketch)
  addJsonSketch(acc.ttft, c.ttft_sketch)
}

/** The cell levels a report with `bucket` can use: day cells for daily buckets, hour cells within their keep. */
function levelsFor(bucket: StatsBucket, now: number): CellLevel[] {
  const levels: CellLevel[] = []
  if (bucket === 'day') levels.push({ source: 'days', size: DAY_MS, since: -Infinity, until: Infinity })
  if (bucket !== '5m') levels.push({ source: 'hours', size: HOUR_MS, since: hourCellsSince(now), until: Infinity })
  return levels
}

/**
 * A statement started now and awaited later: its rejection is marked handled meanwhile (the later await still
 * throws it), so an earlier failure in the same report does not leave it as an unhandled rejection.
 */
function settled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined)
  return p
}

/** Every row in [from, to) (a member's: of `workspaces` only), a slice per statement. */
async function* rowsIn(
  db: PgPool,
  from: number,
  to: number,
  workspaces: readonly string[] | undefined,
  columns = ROW_COLUMNS,
  extra = '',
): AsyncGenerator<PgRollupRow> {
  for (let a = from; a < to; a += ROW_SLICE_MS) {
    const b = Math.min(to, a + ROW_SLICE_MS)
    const rows = await db.query<PgRollupRow>(
      `SELECT ${columns} FROM request_logs WHERE created_at >= $1 AND created_at < $2${extra}${
        workspaces ? ' AND workspace = ANY($3::text[])' : ''
      }`,
      workspaces ? [a, b, [...workspaces]] : [a, b],
    )
    yield* rows
  }
}

/** log-stats.ts readSeries on Postgres: a series per dimension over [from, to) from cells, then the edges' rows. */
async function readSeries(
  db: PgPool,
  range: { from: number; to: number; bucket: StatsBucket },
  dims: readonly RollupDim[],
  now: number,
  workspaces?: readonly string[],
): Promise<Map<RollupDim, Series>> {
  const bucketMs = BUCKET_MS[range.bucket]
  const memberDims = workspaces && memberCellDims(dims)
  const cellDims = [...(memberDims ?? dims)]
  const byDim = new Map<RollupDim, Series>(dims.map((d) => [d, new Map()]))
  const pointOf = (dim: RollupDim, t: number, value: string) => {
    const series = byDim.get(dim)!
    const bucket = Math.floor(t / bucketMs) * bucketMs
    const key = `${bucket}\u0000${value}`
    let point = series.get(key)
    if (!point) {
      point = { bucket, group: value === '' ? null : value, acc: new Accumulator() }
      series.set(key, point)
    }
    return point.acc
  }
  const wanted = new Set<string>(dims)
  const own = new Set(workspaces)
  const addMemberCell = (cell: CellRow, t: number) => {
    if (cell.dim === 'workspace') {
      if (!own.has(cell.value)) return
      if (wanted.has('all')) addCell(pointOf('all', t, ''), cell)
      if (wanted.has('workspace')) addCell(pointOf('workspace', t, cell.value), cell)
      return
    }
    const cut = cell.value.indexOf(PG_CELL_SEPARATOR)
    const dim = cell.dim.slice(3) as RollupDim
    if (isWorkspaceDim(dim) && own.has(cell.value.slice(0, cut)))
      addCell(pointOf(dim, t, cell.value.slice(cut + 1)), cell)
  }
  const levels = !workspaces ? levelsFor(range.bucket, now) : memberDims ? levelsFor(range.bucket, now) : []
  const pieces = planRange(range.from, range.to, levels)
  // Every cell statement is sent before the edge rows are read: each costs a round trip, not rows, and on a busy
  // server the round trips, not the statements, are most of a report's time.
  const cellsOf = pieces.map((piece) =>
    piece.source === 'rows'
      ? undefined
      : settled(
          db.query<CellRow>(
            `SELECT start, dim, value, ${COUNTER_SQL}, latency_sketch, ttft_sketch FROM ${
              piece.source === 'days' ? 'log_rollup_days' : 'log_rollup_hours'
            }
       WHERE dim = ANY($1::text[]) AND start >= $2 AND start < $3`,
            [cellDims, piece.from / 1000, piece.to / 1000],
          ),
        ),
  )
  for (const [i, piece] of pieces.entries()) {
    const pending = cellsOf[i]
    if (!pending) {
      for await (const row of rowsIn(db, piece.from, piece.to, workspaces)) {
        if (!isModelCall(row)) continue
        const line = { ...row, created_at: iso(row.created_at) }
        for (const dim of dims) {
          const value = dimValue(line, dim)
          if (value !== '' || !isOptionalDim(dim)) pointOf(dim, row.created_at, value).addRow(line)
        }
      }
      continue
    }
    for (const cell of await pending) {
      if (workspaces) addMemberCell(cell, cell.start * 1000)
      else addCell(pointOf(cell.dim as RollupDim, cell.start * 1000, cell.value), cell)
    }
  }
  return byDim
}

/** Guardrail hits and redacted entities: hour cells for whole hours, the rows' JSON for the partial ones. */
async function hitCounts(
  db: PgPool,
  from: number,
  to: number,
  workspaces?: readonly string[],
): Promise<Pick<StatsResult, 'byGuardrail' | 'byRedaction'>> {
  const tally = hitTally()
  const hours: CellLevel = { source: 'hours', size: HOUR_MS, since: -Infinity, until: Infinity }
  const hit = ' AND (guardrails_json IS NOT NULL OR redactions_json IS NOT NULL)'
  const edge = async (piece: { from: number; to: number }) => {
    for await (const row of rowsIn(db, piece.from, piece.to, workspaces, 'guardrails_json, redactions_json', hit))
      tally.addRow(row)
  }
  // Tallies are sums: the pieces' statements run at once, in any order.
  await Promise.all(
    planRange(from, to, workspaces ? [] : [hours]).map((piece) =>
      piece.source === 'rows' ? edge(piece) : cellHits(db, piece, tally),
    ),
  )
  return tally.result()
}

/** Guardrail hits and redacted entities of the hour cells in a piece of a range. */
async function cellHits(db: PgPool, piece: { from: number; to: number }, tally: ReturnType<typeof hitTally>) {
  const range = [piece.from / 1000, piece.to / 1000]
  const [guardrails, redactions] = await Promise.all([
    db.query<{
      check: string
      stage: 'input' | 'output'
      action: 'block' | 'flag' | 'log'
      count: number
    }>(
      `SELECT check_name AS "check", stage, action, sum(count) AS count FROM log_rollup_guardrails
       WHERE start >= $1 AND start < $2 GROUP BY 1, 2, 3`,
      range,
    ),
    db.query<{ type: string; count: number }>(
      'SELECT type, sum(count) AS count FROM log_rollup_redactions WHERE start >= $1 AND start < $2 GROUP BY 1',
      range,
    ),
  ])
  for (const g of guardrails) tally.addHit(g, g.count)
  for (const r of redactions) tally.addEntity(r.type, r.count)
}

/** Partitions of request_logs: a partitioned table's own size is 0, its days hold the bytes. */
const LOG_BYTES_SQL = `SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0) AS bytes FROM pg_inherits
  WHERE inhparent = 'request_logs'::regclass`

async function extrasOf(db: PgPool, from: number, to: number, workspaces?: readonly string[]): Promise<RangeExtras> {
  const hitsOf = settled(hitCounts(db, from, to, workspaces))
  // A member's Overview counts their workspaces' rows only: the database's size and row span are everyone's.
  if (workspaces) {
    const [own] = await db.query<{ n: number }>(
      'SELECT count(*) AS n FROM request_logs WHERE workspace = ANY($1::text[])',
      [[...workspaces]],
    )
    return { ...(await hitsOf), db: { rows: own.n } }
  }
  const [[size], [span]] = await Promise.all([
    db.query<{ bytes: number }>(LOG_BYTES_SQL),
    db.query<{ n: number }>(
      'SELECT coalesce((SELECT max(id) FROM request_logs) - (SELECT min(id) FROM request_logs) + 1, 0) AS n',
    ),
  ])
  return { ...(await hitsOf), db: { sizeBytes: size.bytes, usedBytes: size.bytes, rows: span.n } }
}

export async function pgComputeStats(
  db: PgPool,
  q: StatsQuery,
  now = Date.now(),
  workspaces?: readonly string[],
): Promise<StatsResult> {
  const from = Date.parse(q.from)
  const to = Date.parse(q.to)
  const dim: RollupDim = q.groupBy ? GROUP_DIM[q.groupBy] : 'all'
  const extras = settled(extrasOf(db, from, to, workspaces))
  const series = await readSeries(db, { from, to, bucket: q.bucket }, [dim], now, workspaces)
  return resultOf(q, series.get(dim)!, await extras)
}

export async function pgComputeOverview(
  db: PgPool,
  q: OverviewQuery,
  now = Date.now(),
  workspaces?: readonly string[],
): Promise<OverviewResult> {
  const from = Date.parse(q.from)
  const to = Date.parse(q.to)
  const groupings = [...new Set<StatsGroupBy>(['model', 'provider', q.groupBy])]
  const dims: RollupDim[] = ['all', ...groupings.map((g) => GROUP_DIM[g]), 'workspace', 'person']
  // The four parts read disjoint things: their statements go out together.
  const [series, previous, extras, mcp] = await Promise.all([
    settled(readSeries(db, { from, to, bucket: q.bucket }, dims, now, workspaces)),
    settled(readSeries(db, { from: from - (to - from), to: from, bucket: 'day' }, ['all'], now, workspaces)),
    settled(extrasOf(db, from, to, workspaces)),
    settled(pgMcpActivity(db, from, to, workspaces)),
  ])
  const base = { from: q.from, to: q.to, bucket: q.bucket }
  return {
    overall: resultOf(base, series.get('all')!, extras),
    groups: Object.fromEntries(
      groupings.map((g) => [g, resultOf({ ...base, groupBy: g }, series.get(GROUP_DIM[g])!, extras)]),
    ),
    previous: totalsOf(previous.get('all')!).totals.summary(),
    mcp,
    spend: {
      workspace: spendOf(series.get('workspace')!, series.get('all')!),
      person: spendOf(series.get('person')!, series.get('all')!),
    },
  }
}

export async function pgComputeSpend(
  db: PgPool,
  q: SpendQuery,
  now = Date.now(),
  workspaces?: readonly string[],
): Promise<SpendResult> {
  const range = { from: Date.parse(q.from), to: Date.parse(q.to), bucket: 'day' as const }
  const series = await readSeries(db, range, [q.by, 'all'], now, workspaces)
  return { from: q.from, to: q.to, by: q.by, groups: spendOf(series.get(q.by)!, series.get('all')!) }
}

/** Tool calls through the MCP hub in [from, to), through the partial index of tool calls. */
export async function pgMcpActivity(
  db: PgPool,
  from: number,
  to: number,
  workspaces?: readonly string[],
): Promise<McpActivity> {
  const rows = await db.query<{ server: string | null; tool: string | null; calls: number; errors: number }>(
    `SELECT provider AS server, model AS tool, count(*) AS calls,
       sum(CASE WHEN status >= 400 OR error IS NOT NULL THEN 1 ELSE 0 END) AS errors
     FROM request_logs WHERE inbound_api = 'mcp' AND created_at >= $1 AND created_at < $2${
       workspaces ? ' AND workspace = ANY($3::text[])' : ''
     }
     GROUP BY provider, model`,
    workspaces ? [from, to, [...workspaces]] : [from, to],
  )
  return mcpSummary(rows)
}
