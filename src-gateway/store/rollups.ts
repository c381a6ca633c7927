/**
 * Rollups of the request log (issue 23): per-minute, per-hour and per-day cells of counters and latency/TTFT
 * sketches, one cell per bucket and dimension value, so that stats over a month read hundreds of cells instead
 * of millions of rows. Each cell belongs to one dimension (`all`, or one of model, provider, key, route, status
 * class, workspace, person) rather than to every combination of them: a chart groups by one dimension at a time, and the cells
 * per hour stay the sum of the dimensions' distinct values instead of their product.
 *
 * `rollUpNewRows` rolls every row past a stored watermark (`log_rollup_state.rolled_id`), so one call keeps
 * them in step wherever rows come from: the log writer calls it inside its flush transaction (a failed flush
 * rolls both back), the gateway at start (rows that existed before this migration: the backfill), and the
 * fixture builder. Minute cells are kept for MINUTE_CELLS_KEEP_MS, enough for the short ranges whose edges and
 * 5-minute buckets need them; hour cells for HOUR_CELLS_KEEP_MS (hourly charts and the edges of daily ones);
 * day cells for good (retention deletes rows, not the history the charts draw).
 */
import type Database from 'better-sqlite3'
import type { GuardrailHit } from '../core/log-event.js'
import { addToBin, binOf, encodeSketch, mergeEncoded, type Sketch } from './latency-sketch.js'

// db.ts's `Db`, named here from the driver: db.ts imports this module to roll up on open.
type Db = Database.Database

/** The dimensions a cell can belong to; `all` has one cell per bucket with every row in it. */
export type RollupDim = 'all' | 'model' | 'provider' | 'key' | 'route' | 'status' | 'workspace' | 'person'
const DIMS: readonly RollupDim[] = ['all', 'model', 'provider', 'key', 'route', 'status', 'workspace', 'person']

/**
 * The dimensions a member's reports group by, also kept per workspace (issue 21): a row with a workspace gets a
 * cell in `ws:<dim>` whose value is `<workspace>\0<value>`, so a member's Overview sums their workspaces' cells
 * instead of reading their rows. Their `all` is the `workspace` cells of their workspaces. Route and status, which
 * no report groups a member's calls by, get none, and there are hour and day cells only (a member's report reads
 * the rows of a range's partial hours): each such cell adds to every log flush, and these already took a 100-row
 * flush of workspace calls from 11 to 18 ms with minute cells, 16 ms without.
 */
export const WORKSPACE_DIMS = ['model', 'provider', 'key', 'person'] as const satisfies readonly RollupDim[]
export type WorkspaceDim = (typeof WORKSPACE_DIMS)[number]
/** The cell dimension holding `dim` per workspace. */
export const workspaceCellDim = (dim: WorkspaceDim): string => `ws:${dim}`

export const MINUTE_MS = 60_000
export const HOUR_MS = 3_600_000
export const DAY_MS = 24 * HOUR_MS
/** Two days and an hour: the Overview's 1 h and 24 h ranges, and the 24 h range's previous period. */
export const MINUTE_CELLS_KEEP_MS = 49 * HOUR_MS
/**
 * The Overview's 30 days and the 30 days before them, and a margin: older hour cells are dropped, and older
 * history is drawn from day cells (whole UTC days) only.
 */
export const HOUR_CELLS_KEEP_MS = 62 * DAY_MS

/** Hour cells before this (epoch ms, a UTC midnight) have been dropped. */
export function hourCellsSince(now: number): number {
  return Math.floor((now - HOUR_CELLS_KEEP_MS) / DAY_MS) * DAY_MS
}

/** The columns a rollup reads from a log row; log-stats reads the same ones for the rows at a range's edges. */
export const ROW_COLUMNS = `id, created_at, inbound_api, model, provider, key_name, route, status, input_tokens,
  output_tokens, cost_usd, latency_ms, ttft_ms, is_cache_hit, cache_saved_usd, guardrail_action, redactions_json,
  guardrails_json, workspace, person`

export interface RollupRow {
  id: number
  created_at: string
  inbound_api: string
  model: string | null
  provider: string | null
  key_name: string | null
  route: string | null
  status: number
  input_tokens: number | null
  output_tokens: number | null
  cost_usd: number | null
  latency_ms: number
  ttft_ms: number | null
  is_cache_hit: number
  cache_saved_usd: number | null
  guardrail_action: string | null
  redactions_json: string | null
  guardrails_json: string | null
  workspace: string | null
  person: string | null
}

const STATUS_CLASSES = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx']

/** What a roll-up reads of a row: its columns without the id (the log writer hands over rows it just wrote). */
export type RollupLine = Omit<RollupRow, 'id'>

/**
 * Rows that are model calls. A tool call through the MCP hub (`inbound_api = 'mcp'`) has a row in the log but no
 * place in model stats: its server and tool are not a provider and a model, and its latency is not a model's.
 * The Overview counts tool calls on their own (log-stats.ts `mcpActivity`).
 */
export const isModelCall = (row: Pick<RollupLine, 'inbound_api'>): boolean => row.inbound_api !== 'mcp'

/**
 * Dimensions most rows have no value in (keyless calls have no workspace, most calls name no person): a row
 * without one gets no cell there, since its share is the `all` cell minus the named ones (log-stats.ts). Cells
 * for '' would add a third to the cells every log flush writes.
 */
export const isOptionalDim = (dim: RollupDim): boolean => dim === 'workspace' || dim === 'person'

/** A row's value in a dimension; '' stands for none, since NULLs never match in a primary key. */
export function dimValue(row: RollupLine, dim: RollupDim): string {
  switch (dim) {
    case 'all':
      return ''
    case 'key':
      return row.key_name ?? ''
    case 'status':
      return STATUS_CLASSES[Math.floor(row.status / 100)] ?? `${Math.floor(row.status / 100)}xx`
    default:
      return row[dim] ?? ''
  }
}

/** The counters every cell (and every stats summary) holds. */
export interface Counters {
  requests: number
  errors: number
  inputTokens: number
  outputTokens: number
  costUsd: number
  cacheHits: number
  cacheSavedUsd: number
  guardrailBlocked: number
  guardrailFlagged: number
  redactedCalls: number
}

export function zeroCounters(): Counters {
  return {
    requests: 0,
    errors: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    cacheHits: 0,
    cacheSavedUsd: 0,
    guardrailBlocked: 0,
    guardrailFlagged: 0,
    redactedCalls: 0,
  }
}

export function countRow(c: Counters, row: RollupLine): void {
  c.requests++
  if (row.status >= 400) c.errors++
  c.inputTokens += row.input_tokens ?? 0
  c.outputTokens += row.output_tokens ?? 0
  c.costUsd += row.cost_usd ?? 0
  c.cacheHits += row.is_cache_hit
  c.cacheSavedUsd += row.cache_saved_usd ?? 0
  if (row.guardrail_action === 'block') c.guardrailBlocked++
  else if (row.guardrail_action === 'flag') c.guardrailFlagged++
  if (row.redactions_json !== null) c.redactedCalls++
}

/** Counter columns, in `Counters` order (their names in SQL). */
export const COUNTER_COLUMNS: Record<keyof Counters, string> = {
  requests: 'requests',
  errors: 'errors',
  inputTokens: 'input_tokens',
  outputTokens: 'output_tokens',
  costUsd: 'cost_usd',
  cacheHits: 'cache_hits',
  cacheSavedUsd: 'cache_saved_usd',
  guardrailBlocked: 'guardrail_blocked',
  guardrailFlagged: 'guardrail_flagged',
  redactedCalls: 'redacted_calls',
}
const COUNTERS = Object.values(COUNTER_COLUMNS)

export interface Cell {
  /** `m` for a minute cell, `h` for an hour cell, `d` for a day cell. */
  level: string
  start: number
  /** A RollupDim, or a WORKSPACE_DIMS one per workspace (`ws:<dim>`). */
  dim: string
  value: string
  counters: Counters
  latency: Sketch
  ttft: Sketch
}

const upsertCell = (
  table: string,
) => `INSERT INTO ${table} (start, dim, value, ${COUNTERS.join(', ')}, latency_sketch, ttft_sketch)
  VALUES (${Array(COUNTERS.length + 5)
    .fill('?')
    .join(', ')})
  ON CONFLICT DO UPDATE SET ${COUNTERS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')},
    latency_sketch = rollup_sketch_merge(latency_sketch, excluded.latency_sketch),
    ttft_sketch = rollup_sketch_merge(ttft_sketch, excluded.ttft_sketch)`

/** Rows per read-and-upsert step; each step is its own transaction when not already inside one. */
const CHUNK_ROWS = 20_000
const TRIM_EVERY_MS = 10 * MINUTE_MS

interface Statements {
  rows: (after: number, limit: number) => RollupRow[]
  watermark: () => number
  /** Rows up to this id have their per-workspace cells; behind `watermark` only in a database rolled up before. */
  workspaceWatermark: () => number
  setWatermarks: (id: number, workspaceId: number) => void
  /** Upserts a cell into the table of its level. */
  cell: (cell: Cell) => void
  /** Once per database: adds the hour cells written before day cells were kept live to their day cells. */
  makeDaysLive: () => void
  guardrail: (start: number, hit: Pick<GuardrailHit, 'check' | 'stage' | 'action'>, count: number) => void
  redaction: (start: number, type: string, count: number) => void
  trim: (minutesBefore: number, hoursBefore: number) => void
  lastTrim: number
}

const prepared = new WeakMap<Db, Statements>()

function statements(db: Db): Statements {
  let st = prepared.get(db)
  if (st) return st
  db.function('rollup_sketch_merge', { deterministic: true }, (a, b) =>
    mergeEncoded(a as Uint8Array | null, b as Uint8Array | null),
  )
  db.aggregate('rollup_sketch_sum', {
    start: null as Buffer | null,
    step: (sum: Buffer | null, s: unknown) => mergeEncoded(sum, s as Uint8Array | null),
  })
  const rows = db.prepare(`SELECT ${ROW_COLUMNS} FROM request_logs WHERE id > ? ORDER BY id LIMIT ?`)
  const watermark = db.prepare('SELECT rolled_id FROM log_rollup_state').pluck()
  const workspaceWatermark = db.prepare('SELECT workspace_rolled_id FROM log_rollup_state').pluck()
  const setWatermarks = db.prepare('UPDATE log_rollup_state SET rolled_id = ?, workspace_rolled_id = ?')
  const upsert = (table: string) => {
    const stmt = db.prepare(upsertCell(table))
    return (c: Cell) =>
      stmt.run(
        c.start,
        c.dim,
        c.value,
        ...(Object.keys(COUNTER_COLUMNS) as (keyof Counters)[]).map((k) => c.counters[k]),
        encodeSketch(c.latency),
        encodeSketch(c.ttft),
      )
  }
  const guardrail = db.prepare(`INSERT INTO log_rollup_guardrails VALUES (?, ?, ?, ?, ?)
    ON CONFLICT DO UPDATE SET count = count + excluded.count`)
  const redaction = db.prepare(`INSERT INTO log_rollup_redactions VALUES (?, ?, ?)
    ON CONFLICT DO UPDATE SET count = count + excluded.count`)
  const trimMinutes = db.prepare('DELETE FROM log_rollup_minutes WHERE start < ?')
  const dropHours = db.prepare('DELETE FROM log_rollup_hours WHERE start < ?')
  const trim = db.transaction((minutesBefore: number, hoursBefore: number) => {
    trimMinutes.run(minutesBefore)
    dropHours.run(hoursBefore)
  })
  // Until a database has live day cells, its day cells hold only hour cells that were folded when they expired:
  // the hour cells still kept are added to their days once, in the roll-up's own transaction.
  const daysLive = db.prepare('SELECT days_live FROM log_rollup_state').pluck()
  const foldHours =
    db.prepare(`INSERT INTO log_rollup_days (start, dim, value, ${COUNTERS.join(', ')}, latency_sketch, ttft_sketch)
    SELECT start - start % 86400, dim, value, ${COUNTERS.map((c) => `sum(${c})`).join(', ')},
      rollup_sketch_sum(latency_sketch), rollup_sketch_sum(ttft_sketch)
    FROM log_rollup_hours GROUP BY 1, 2, 3
    ON CONFLICT DO UPDATE SET ${COUNTERS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')},
      latency_sketch = rollup_sketch_merge(latency_sketch, excluded.latency_sketch),
      ttft_sketch = rollup_sketch_merge(ttft_sketch, excluded.ttft_sketch)`)
  const setDaysLive = db.prepare('UPDATE log_rollup_state SET days_live = 1')
  const tables: Record<string, (c: Cell) => void> = {
    m: upsert('log_rollup_minutes'),
    h: upsert('log_rollup_hours'),
    d: upsert('log_rollup_days'),
  }
  st = {
    rows: (after, limit) => rows.all(after, limit) as RollupRow[],
    watermark: () => watermark.get() as number,
    workspaceWatermark: () => workspaceWatermark.get() as number,
    setWatermarks: (id, workspaceId) => setWatermarks.run(id, workspaceId),
    cell: (c) => tables[c.level](c),
    makeDaysLive: () => {
      if (daysLive.get() === 1) return
      foldHours.run()
      setDaysLive.run()
    },
    guardrail: (start, h, count) => guardrail.run(start, h.check, h.stage, h.action, count),
    redaction: (start, type, count) => redaction.run(start, type, count),
    trim: (minutesBefore, hoursBefore) => trim.immediate(minutesBefore, hoursBefore),
    lastTrim: 0,
  }
  prepared.set(db, st)
  return st
}

function countInto(cell: Cell, row: RollupLine, latencyBin: number, ttftBin: number): void {
  countRow(cell.counters, row)
  addToBin(cell.latency, latencyBin)
  if (ttftBin >= 0) addToBin(cell.ttft, ttftBin)
}

/** A level's cells: bucket start → one map per dimension (DIMS order) of value → cell. */
type LevelCells = Map<number, Map<string, Cell>[]>
const CELL_DIMS: readonly string[] = [...DIMS, ...WORKSPACE_DIMS.map(workspaceCellDim)]

/**
 * Sums rows into minute cells (rows since `minutesSince` only), hour cells and day cells, per dimension value,
 * and for a row with a workspace per workspace and WORKSPACE_DIMS value; `onlyPerWorkspace` writes those alone
 * (rows rolled up before per-workspace cells existed). Work per row is shared by its cells: its bins, buckets and
 * dimension values are found once, and cells are looked up by number and value, with no key built per row (this
 * runs in every log flush). The Postgres writer (pg/log-writer.ts) sums its flushes' cells with it too, minute
 * cells left out (`minutesSince` Infinity).
 */
export function cellsOf(
  rows: readonly RollupLine[],
  times: readonly number[],
  minutesSince: number,
  onlyPerWorkspace = false,
): Cell[] {
  const cells: Cell[] = []
  const levels: Record<string, LevelCells> = { m: new Map(), h: new Map(), d: new Map() }
  const bucket = (level: string, start: number) => {
    let byDim = levels[level].get(start)
    if (!byDim) {
      byDim = CELL_DIMS.map(() => new Map())
      levels[level].set(start, byDim)
    }
    return byDim
  }
  const add = (level: string, start: number, byDim: Map<string, Cell>, dim: string, value: string) => {
    let cell = byDim.get(value)
    if (!cell) {
      cell = { level, start, dim, value, counters: zeroCounters(), latency: new Map(), ttft: new Map() }
      byDim.set(value, cell)
      cells.push(cell)
    }
    return cell
  }
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]
    if (!isModelCall(row)) continue
    const latency = binOf(row.latency_ms)
    const ttft = row.ttft_ms === null ? -1 : binOf(row.ttft_ms)
    const minute = times[i] >= minutesSince ? Math.floor(times[i] / MINUTE_MS) * 60 : -1
    const hour = Math.floor(times[i] / HOUR_MS) * 3600
    const day = Math.floor(times[i] / DAY_MS) * 86400
    const m = minute >= 0 ? bucket('m', minute) : undefined
    const h = bucket('h', hour)
    const d = bucket('d', day)
    const into = (k: number, value: string) => {
      countInto(add('h', hour, h[k], CELL_DIMS[k], value), row, latency, ttft)
      countInto(add('d', day, d[k], CELL_DIMS[k], value), row, latency, ttft)
      if (m && k < DIMS.length) countInto(add('m', minute, m[k], CELL_DIMS[k], value), row, latency, ttft)
    }
    if (!onlyPerWorkspace)
      for (let k = 0; k < DIMS.length; k++) {
        const value = dimValue(row, DIMS[k])
        if (value !== '' || !isOptionalDim(DIMS[k])) into(k, value)
      }
    if (row.workspace === null) continue
    for (let j = 0; j < WORKSPACE_DIMS.length; j++) {
      const value = dimValue(row, WORKSPACE_DIMS[j])
      if (value !== '' || !isOptionalDim(WORKSPACE_DIMS[j])) into(DIMS.length + j, `${row.workspace}\u0000${value}`)
    }
  }
  return cells
}

/**
 * Guardrail hits by hour and check (key: JSON `[hourStartS, check, stage, action]`), and redacted entities by hour and
 * type (key: JSON `[hourStartS, type]`), counted from the rows that have any; both backends' writers store these.
 */
export function hitCounts(
  rows: readonly RollupLine[],
  times: readonly number[],
): { hits: Map<string, number>; entities: Map<string, number> } {
  const hits = new Map<string, number>()
  const entities = new Map<string, number>()
  for (const [i, row] of rows.entries()) {
    const start = Math.floor(times[i] / HOUR_MS) * 3600
    if (row.guardrails_json !== null)
      for (const h of JSON.parse(row.guardrails_json) as GuardrailHit[]) {
        const key = JSON.stringify([start, h.check, h.stage, h.action])
        hits.set(key, (hits.get(key) ?? 0) + 1)
      }
    if (row.redactions_json !== null)
      for (const [type, n] of Object.entries(JSON.parse(row.redactions_json) as Record<string, number>)) {
        const key = JSON.stringify([start, type])
        entities.set(key, (entities.get(key) ?? 0) + n)
      }
  }
  return { hits, entities }
}

/** Guardrail hits by hour and check, and redacted entities by hour and type, from the rows that have any. */
function rollUpHits(st: Statements, rows: readonly RollupLine[], times: readonly number[]): void {
  const { hits, entities } = hitCounts(rows, times)
  for (const [key, count] of hits) {
    const [start, check, stage, action] = JSON.parse(key)
    st.guardrail(start, { check, stage, action }, count)
  }
  for (const [key, count] of entities) {
    const [start, type] = JSON.parse(key)
    st.redaction(start, type, count)
  }
}

/** Rows a caller has just inserted, with ids `firstId` to `lastId` in order, and their times (epoch ms). */
export interface FreshRows {
  firstId: number
  lastId: number
  rows: readonly RollupLine[]
  times: readonly number[]
}

/**
 * Rolls up every log row written since the last call (all rows, the first time), in steps of CHUNK_ROWS, and
 * now and then drops minute and hour cells past their keep. Returns how many
 * rows it rolled up. Called inside the log writer's flush transaction, it joins it (and is handed the rows just
 * written as `fresh`, so the usual flush reads nothing back); elsewhere each step commits on its own.
 */
export function rollUpNewRows(db: Db, now = Date.now(), fresh?: FreshRows): number {
  const st = statements(db)
  const minutesSince = now - MINUTE_CELLS_KEEP_MS
  const rollUp = (rows: readonly RollupLine[], times: readonly number[], lastId: number) => {
    for (const cell of cellsOf(rows, times, minutesSince)) st.cell(cell)
    rollUpHits(st, rows, times)
    st.setWatermarks(lastId, lastId)
    return rows.length
  }
  // A row whose time does not parse (written by hand or by another tool) has no cell: skipping it keeps the
  // gateway starting, where one such row would otherwise fail every roll-up, and the open, for good.
  const parsed = (read: readonly RollupRow[]) => {
    const rows = read.filter((r) => Number.isFinite(Date.parse(r.created_at)))
    return { rows, times: rows.map((r) => Date.parse(r.created_at)) }
  }
  /** Rows read and rolled up; `more` when a chunk was full or the per-workspace catch-up moved on. */
  const step = db.transaction((): { rolled: number; more: boolean } => {
    st.makeDaysLive()
    const watermark = st.watermark()
    const workspaceWatermark = st.workspaceWatermark()
    // Rows rolled up before per-workspace cells existed get those cells first, once, in chunks.
    if (workspaceWatermark < watermark) {
      const read = st.rows(workspaceWatermark, CHUNK_ROWS).filter((r) => r.id <= watermark)
      const { rows, times } = parsed(read)
      for (const cell of cellsOf(rows, times, minutesSince, true)) st.cell(cell)
      st.setWatermarks(watermark, read.length < CHUNK_ROWS ? watermark : read[read.length - 1].id)
      return { rolled: 0, more: true }
    }
    // The rows just written are all that is new: rolled up from memory, without reading them back.
    if (fresh && watermark === fresh.firstId - 1)
      return { rolled: rollUp(fresh.rows, fresh.times, fresh.lastId), more: false }
    const read = st.rows(watermark, CHUNK_ROWS)
    if (read.length === 0) return { rolled: 0, more: false }
    const { rows, times } = parsed(read)
    rollUp(rows, times, read[read.length - 1].id)
    return { rolled: read.length, more: read.length === CHUNK_ROWS }
  })
  let total = 0
  // IMMEDIATE: the watermark is read and moved under the write lock, so two connections never roll a row twice
  // (nor add the hour cells to their days twice).
  for (let more = true; more; ) {
    const done = step.immediate()
    total += done.rolled
    more = done.more
  }
  if (now - st.lastTrim >= TRIM_EVERY_MS) {
    st.trim(Math.floor(minutesSince / 1000), hourCellsSince(now) / 1000)
    st.lastTrim = now
  }
  return total
}
