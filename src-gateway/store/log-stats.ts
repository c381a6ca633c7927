import type {
  GuardrailCount,
  McpActivity,
  OverviewQuery,
  OverviewResult,
  Percentiles,
  RedactionCount,
  SpendGroup,
  SpendQuery,
  SpendResult,
  StatsBucket,
  StatsGroupBy,
  StatsQuery,
  StatsResult,
  StatsSummary,
} from '../../src-shared/contract/stats.js'
import type { GuardrailHit } from '../core/log-event.js'
import type { Db } from './db.js'
import { addEncoded, addValue, percentiles, type Sketch } from './latency-sketch.js'
import { usedBytes } from './retention.js'
import {
  COUNTER_COLUMNS,
  type Counters,
  countRow,
  DAY_MS,
  dimValue,
  HOUR_MS,
  hourCellsSince,
  isModelCall,
  isOptionalDim,
  MINUTE_CELLS_KEEP_MS,
  MINUTE_MS,
  ROW_COLUMNS,
  type RollupDim,
  type RollupRow,
  rollUpNewRows,
  WORKSPACE_DIMS,
  type WorkspaceDim,
  workspaceCellDim,
  zeroCounters,
} from './rollups.js'

/** The report shapes (stated by the admin contract). */
export type {
  GuardrailCount,
  OverviewQuery,
  OverviewResult,
  Percentiles,
  RedactionCount,
  SpendQuery,
  SpendResult,
  StatsBucket,
  StatsGroupBy,
  StatsQuery,
  StatsResult,
  StatsSummary,
}

export const GROUP_DIM: Record<StatsGroupBy, RollupDim> = { model: 'model', provider: 'provider', key: 'key' }
export const BUCKET_MS: Record<StatsBucket, number> = { '5m': 5 * MINUTE_MS, hour: HOUR_MS, day: DAY_MS }
const PERCENTILES = [0.5, 0.95, 0.99] as const

export class Accumulator {
  counters = zeroCounters()
  latency: Sketch = new Map()
  ttft: Sketch = new Map()

  /** A rollup cell: start, dim, value, its counters, then its sketches (raw column order: see CELL_SQL). */
  addCell(cell: unknown[]) {
    const c = this.counters as unknown as Record<string, number>
    for (const [i, k] of COUNTER_KEYS.entries()) c[k] += cell[3 + i] as number
    const latency = cell[3 + COUNTER_KEYS.length] as Uint8Array | null
    const ttft = cell[4 + COUNTER_KEYS.length] as Uint8Array | null
    addEncoded(this.latency, latency)
    addEncoded(this.ttft, ttft)
  }

  addRow(row: RollupRow) {
    countRow(this.counters, row)
    addValue(this.latency, row.latency_ms)
    if (row.ttft_ms !== null) addValue(this.ttft, row.ttft_ms)
  }

  summary(): StatsSummary {
    return summaryOf(this.counters, [this])
  }
}

/** A group's or the range's totals: the sum of its series points, whose sketches are summed only when read. */
class Sum {
  counters = zeroCounters()
  points: Accumulator[] = []

  add(point: Accumulator) {
    const c = this.counters as unknown as Record<string, number>
    for (const k of COUNTER_KEYS) c[k] += point.counters[k]
    this.points.push(point)
  }

  summary(): StatsSummary {
    return summaryOf(this.counters, this.points)
  }
}

function summaryOf(counters: Counters, points: Accumulator[]): StatsSummary {
  const pct = (sketches: Sketch[]): Percentiles => {
    const [p50, p95, p99] = percentiles(sketches, PERCENTILES)
    return { p50, p95, p99 }
  }
  return { ...counters, latencyMs: pct(points.map((p) => p.latency)), ttftMs: pct(points.map((p) => p.ttft)) }
}

const COUNTER_KEYS = Object.keys(COUNTER_COLUMNS) as (keyof Counters)[]

/** Where one stretch of a range is read from: whole day, hour or minute cells, or the rows themselves. */
interface Piece {
  source: 'days' | 'hours' | 'minutes' | 'rows'
  from: number
  to: number
}

/** A kind of cell that can serve a range: its size and the span (epoch ms) where such cells are kept. */
export interface CellLevel {
  source: Exclude<Piece['source'], 'rows'>
  size: number
  since: number
  until: number
}

const ceilTo = (t: number, size: number) => Math.ceil(t / size) * size
const floorTo = (t: number, size: number) => Math.floor(t / size) * size

/**
 * Splits [from, to) into whole cells of the coarsest level (listed coarse to fine) that is kept there, the
 * parts left at the edges into whole cells of the next level, and so on; what no level covers is read from
 * rows. With hour and minute levels, rows are at most the two partial minutes at the edges (two partial hours
 * where the minute cells are gone).
 */
export function planRange(from: number, to: number, levels: readonly CellLevel[]): Piece[] {
  const pieces: Piece[] = []
  const cover = (a: number, b: number, i: number) => {
    if (a >= b) return
    const level = levels[i]
    if (!level) return void pieces.push({ source: 'rows', from: a, to: b })
    const lo = Math.max(ceilTo(a, level.size), ceilTo(level.since, level.size))
    const hi = Math.min(floorTo(b, level.size), floorTo(level.until, level.size))
    if (lo >= hi) return cover(a, b, i + 1)
    cover(a, lo, i + 1)
    pieces.push({ source: level.source, from: lo, to: hi })
    cover(hi, b, i + 1)
  }
  cover(from, to, 0)
  return pieces
}

/**
 * The cells a report with `bucket` can use at `now`: day cells only for daily buckets, hour cells (within their
 * keep) for hourly or daily ones, minute cells within their keep for any.
 */
function levelsFor(bucket: StatsBucket, now: number): CellLevel[] {
  const hoursSince = hourCellsSince(now)
  const levels: CellLevel[] = []
  if (bucket === 'day') levels.push({ source: 'days', size: DAY_MS, since: -Infinity, until: Infinity })
  if (bucket !== '5m') levels.push({ source: 'hours', size: HOUR_MS, since: hoursSince, until: Infinity })
  levels.push({ source: 'minutes', size: MINUTE_MS, since: now - MINUTE_CELLS_KEEP_MS, until: Infinity })
  return levels
}

const CELL_SQL = (table: string) =>
  `SELECT start, dim, value, ${Object.values(COUNTER_COLUMNS).join(', ')}, latency_sketch, ttft_sketch
   FROM ${table} WHERE dim IN (SELECT value FROM json_each(@dims)) AND start >= @from AND start < @to`
const ROWS_SQL = `SELECT ${ROW_COLUMNS} FROM request_logs WHERE created_at >= ? AND created_at < ?`
/** A member's rows: those of their workspaces (see tenancy.ts). */
const WORKSPACE_SQL = ' AND workspace IN (SELECT value FROM json_each(?))'
/**
 * The same for a query over a time range: `+` keeps SQLite on the range's index. Offered the workspace index, it
 * took that one and read every row of the workspace for each ten-minute slice (5 s for a day at 1M rows).
 */
const RANGE_WORKSPACE_SQL = ' AND +workspace IN (SELECT value FROM json_each(?))'
const GUARDRAIL_SQL = `SELECT check_name AS "check", stage, action, sum(count) AS count FROM log_rollup_guardrails
  WHERE start >= ? AND start < ? GROUP BY 1, 2, 3`
const REDACTION_SQL = `SELECT type, sum(count) AS count FROM log_rollup_redactions
  WHERE start >= ? AND start < ? GROUP BY 1`
const iso = (t: number) => new Date(t).toISOString()
const SLICE_MS: Record<Piece['source'], number> = {
  days: 30 * DAY_MS,
  hours: DAY_MS,
  minutes: HOUR_MS,
  rows: 10 * MINUTE_MS,
}
const yieldTurn = () => new Promise((resolve) => setImmediate(resolve))

/** One series point per bucket and dimension value, keyed `bucket\0value`. */
export type Series = Map<string, { bucket: number; group: string | null; acc: Accumulator }>

export const isWorkspaceDim = (dim: RollupDim): dim is WorkspaceDim =>
  (WORKSPACE_DIMS as readonly RollupDim[]).includes(dim)

/**
 * Where a member's series of `dims` come from: `all` and `workspace` from their workspaces' `workspace` cells, the
 * others from the per-workspace cells (rollups.ts WORKSPACE_DIMS); undefined when a dimension has none, so rows.
 */
export function memberCellDims(dims: readonly RollupDim[]): string[] | undefined {
  if (!dims.every((d) => d === 'all' || d === 'workspace' || isWorkspaceDim(d))) return undefined
  return [...new Set(dims.map((d) => (isWorkspaceDim(d) ? workspaceCellDim(d) : 'workspace')))]
}

/**
 * Reads [from, to) once for several dimensions: cells of every dimension in `dims` in one pass over each
 * slice, and the rows at the edges once, each row counted in every dimension's series. Returns a series per
 * dimension. With `workspaces` (a member's, see tenancy.ts) only those workspaces' cells and rows are read.
 */
async function readSeries(
  db: Db,
  range: { from: number; to: number; bucket: StatsBucket },
  dims: readonly RollupDim[],
  now: number,
  workspaces?: readonly string[],
): Promise<Map<RollupDim, Series>> {
  const bucketMs = BUCKET_MS[range.bucket]
  const cells = {
    days: db.prepare(CELL_SQL('log_rollup_days')).raw(),
    hours: db.prepare(CELL_SQL('log_rollup_hours')).raw(),
    minutes: db.prepare(CELL_SQL('log_rollup_minutes')).raw(),
  }
  const rows = db.prepare(workspaces ? ROWS_SQL + RANGE_WORKSPACE_SQL : ROWS_SQL)
  const scope = workspaces ? [JSON.stringify(workspaces)] : []
  const memberDims = workspaces && memberCellDims(dims)
  const dimList = JSON.stringify(memberDims ?? dims)
  const byDim = new Map<RollupDim, Series>(dims.map((d) => [d, new Map()]))
  const pointOf = (dim: RollupDim, t: number, value: string) => {
    const series = byDim.get(dim)!
    const bucket = floorTo(t, bucketMs)
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
  /** A cell of a member's read (see memberCellDims) counted where it belongs, if in one of their workspaces. */
  const addMemberCell = (cell: unknown[], t: number) => {
    const dim = cell[1] as string
    const value = cell[2] as string
    if (dim === 'workspace') {
      if (!own.has(value)) return
      if (wanted.has('all')) pointOf('all', t, '').addCell(cell)
      if (wanted.has('workspace')) pointOf('workspace', t, value).addCell(cell)
      return
    }
    const cut = value.indexOf('\u0000')
    if (own.has(value.slice(0, cut))) pointOf(dim.slice(3) as RollupDim, t, value.slice(cut + 1)).addCell(cell)
  }

  // Per-workspace cells are hour and day cells (rollups.ts WORKSPACE_DIMS): a member's partial hours are rows.
  const levels = !workspaces
    ? levelsFor(range.bucket, now)
    : memberDims
      ? levelsFor(range.bucket, now).filter((l) => l.source !== 'minutes')
      : []
  for (const piece of planRange(range.from, range.to, levels))
    for (let a = piece.from; a < piece.to; a += SLICE_MS[piece.source]) {
      const b = Math.min(piece.to, a + SLICE_MS[piece.source])
      if (piece.source === 'rows')
        for (const row of rows.iterate(iso(a), iso(b), ...scope) as IterableIterator<RollupRow>) {
          if (!isModelCall(row)) continue
          const t = Date.parse(row.created_at)
          for (const dim of dims) {
            const value = dimValue(row, dim)
            if (value !== '' || !isOptionalDim(dim)) pointOf(dim, t, value).addRow(row)
          }
        }
      else
        for (const cell of cells[piece.source].iterate({
          dims: dimList,
          from: a / 1000,
          to: b / 1000,
        }) as IterableIterator<unknown[]>)
          if (workspaces) addMemberCell(cell, (cell[0] as number) * 1000)
          else pointOf(cell[1] as RollupDim, (cell[0] as number) * 1000, cell[2] as string).addCell(cell)
      await yieldTurn()
    }
  return byDim
}

/** Totals and per-group totals of a series: sums of its points. */
export function totalsOf(series: Series): { totals: Sum; groups: Map<string | null, Sum> } {
  const totals = new Sum()
  const groups = new Map<string | null, Sum>()
  for (const { group, acc } of series.values()) {
    let byGroup = groups.get(group)
    if (!byGroup) {
      byGroup = new Sum()
      groups.set(group, byGroup)
    }
    byGroup.add(acc)
    totals.add(acc)
  }
  return { totals, groups }
}

/** What every report over a range carries besides its series: hit counts and the database's size. */
export type RangeExtras = Pick<StatsResult, 'byGuardrail' | 'byRedaction' | 'db'>

export function resultOf(q: StatsQuery, series: Series, extras: RangeExtras): StatsResult {
  const { totals, groups } = totalsOf(series)
  return {
    from: q.from,
    to: q.to,
    bucket: q.bucket,
    groupBy: q.groupBy ?? null,
    totals: totals.summary(),
    groups: [...groups]
      .map(([g, acc]) => ({ group: g, ...acc.summary() }))
      .sort((a, b) => b.requests - a.requests || (a.group ?? '').localeCompare(b.group ?? '')),
    series: [...series.values()]
      .sort((a, b) => a.bucket - b.bucket || (a.group ?? '').localeCompare(b.group ?? ''))
      .map(({ bucket, group: g, acc }) => ({ bucket: iso(bucket), group: g, ...acc.summary() })),
    ...extras,
  }
}

function extrasOf(db: Db, from: number, to: number, workspaces?: readonly string[]): RangeExtras {
  // A member's Overview counts their workspaces' rows only: the database's size and row span are everyone's.
  if (workspaces) {
    const own = db
      .prepare(`SELECT count(*) FROM request_logs WHERE workspace IS NOT NULL${WORKSPACE_SQL}`)
      .pluck()
      .get(JSON.stringify(workspaces)) as number
    return { ...hitCounts(db, from, to, workspaces), db: { rows: own } }
  }
  const pageSize = db.pragma('page_size', { simple: true }) as number
  const pages = db.pragma('page_count', { simple: true }) as number
  // Two subqueries: SQLite reads max or min off the index only when it is a query's sole aggregate.
  const n = db
    .prepare('SELECT coalesce((SELECT max(id) FROM request_logs) - (SELECT min(id) FROM request_logs) + 1, 0)')
    .pluck()
    .get() as number
  return {
    ...hitCounts(db, from, to, workspaces),
    db: { sizeBytes: pages * pageSize, usedBytes: usedBytes(db), rows: n },
  }
}

/**
 * Rows written since the last roll-up are rolled up first, on a connection that may write. The report worker's
 * read-only connection cannot: the gateway rolls up on its own connection before it asks the worker (see
 * report-service.ts), and the log writer rolls up in the transaction that writes the rows, so a snapshot that
 * sees a row sees its cells too.
 */
function rollUpIfWritable(db: Db, now: number): void {
  if (!db.readonly) rollUpNewRows(db, now)
}

/**
 * Totals, per-group totals, a bucketed time series and guardrail and redaction counts, from the rollups: hour
 * cells for whole hours, minute cells for the minutes around them, and log rows only for what is left at the
 * edges (see `planRange`). Reads a slice at a time (a day of hour cells, an hour of minute cells, ten minutes
 * of rows) and lets other work run between slices.
 */
export async function computeStats(
  db: Db,
  q: StatsQuery,
  now = Date.now(),
  workspaces?: readonly string[],
): Promise<StatsResult> {
  rollUpIfWritable(db, now)
  const from = Date.parse(q.from)
  const to = Date.parse(q.to)
  const dim: RollupDim = q.groupBy ? GROUP_DIM[q.groupBy] : 'all'
  const series = await readSeries(db, { from, to, bucket: q.bucket }, [dim], now, workspaces)
  return resultOf(q, series.get(dim)!, extrasOf(db, from, to, workspaces))
}

/**
 * The Overview's reports in one go: the range is read once for the ungrouped totals and every grouping
 * (each rollup cell and edge row once), and the previous period once. Same numbers as the separate
 * `computeStats` calls it replaces.
 */
export async function computeOverview(
  db: Db,
  q: OverviewQuery,
  now = Date.now(),
  workspaces?: readonly string[],
): Promise<OverviewResult> {
  rollUpIfWritable(db, now)
  const from = Date.parse(q.from)
  const to = Date.parse(q.to)
  const groupings = [...new Set<StatsGroupBy>(['model', 'provider', q.groupBy])]
  const dims: RollupDim[] = ['all', ...groupings.map((g) => GROUP_DIM[g]), 'workspace', 'person']
  const series = await readSeries(db, { from, to, bucket: q.bucket }, dims, now, workspaces)
  const previous = await readSeries(db, { from: from - (to - from), to: from, bucket: 'day' }, ['all'], now, workspaces)
  const extras = extrasOf(db, from, to, workspaces)
  const base = { from: q.from, to: q.to, bucket: q.bucket }
  return {
    overall: resultOf(base, series.get('all')!, extras),
    groups: Object.fromEntries(
      groupings.map((g) => [g, resultOf({ ...base, groupBy: g }, series.get(GROUP_DIM[g])!, extras)]),
    ),
    previous: totalsOf(previous.get('all')!).totals.summary(),
    mcp: mcpActivity(db, from, to, workspaces),
    spend: {
      workspace: spendOf(series.get('workspace')!, series.get('all')!),
      person: spendOf(series.get('person')!, series.get('all')!),
    },
  }
}

/**
 * A series' totals per group as spend, dearest first (then most calls, then by name). Calls without a workspace or
 * person have no cells of their own (rollups.ts isOptionalDim): their group (null) is what `all` holds beyond
 * the named groups.
 */
export function spendOf(series: Series, all: Series): SpendGroup[] {
  const named = [...totalsOf(series).groups].map(([group, sum]) => ({
    group,
    requests: sum.counters.requests,
    inputTokens: sum.counters.inputTokens,
    outputTokens: sum.counters.outputTokens,
    costUsd: sum.counters.costUsd,
  }))
  const total = totalsOf(all).totals.counters
  const none = {
    group: null,
    requests: total.requests,
    inputTokens: total.inputTokens,
    outputTokens: total.outputTokens,
    costUsd: total.costUsd,
  }
  for (const g of named) {
    none.requests -= g.requests
    none.inputTokens -= g.inputTokens
    none.outputTokens -= g.outputTokens
    none.costUsd -= g.costUsd
  }
  none.costUsd = Math.max(0, none.costUsd)
  return [...named, ...(none.requests > 0 ? [none] : [])].sort(
    (a, b) => b.costUsd - a.costUsd || b.requests - a.requests || (a.group ?? '').localeCompare(b.group ?? ''),
  )
}

/**
 * Cost, calls and tokens per workspace or per person over [from, to), from the rollups' `workspace` and `person`
 * cells (day cells for whole days, finer cells and rows only at the edges).
 */
export async function computeSpend(
  db: Db,
  q: SpendQuery,
  now = Date.now(),
  workspaces?: readonly string[],
): Promise<SpendResult> {
  rollUpIfWritable(db, now)
  const range = { from: Date.parse(q.from), to: Date.parse(q.to), bucket: 'day' as const }
  const series = await readSeries(db, range, [q.by, 'all'], now, workspaces)
  return { from: q.from, to: q.to, by: q.by, groups: spendOf(series.get(q.by)!, series.get('all')!) }
}

/** How many servers and tools the Overview's tool-call card names. */
const MCP_TOP = 5

/**
 * Tool calls through the MCP hub in [from, to), from their rows (through the partial index of tool calls: model
 * rows are never read). A call is an error when its status is 400 or more, or its result said isError (status 200
 * with an error message).
 */
export function mcpActivity(db: Db, from: number, to: number, workspaces?: readonly string[]): McpActivity {
  const rows = db
    .prepare(
      `SELECT provider AS server, model AS tool, count(*) AS calls,
         sum(CASE WHEN status >= 400 OR error IS NOT NULL THEN 1 ELSE 0 END) AS errors
       FROM request_logs WHERE inbound_api = 'mcp' AND created_at >= ? AND created_at < ?${workspaces ? RANGE_WORKSPACE_SQL : ''}
       GROUP BY provider, model`,
    )
    .all(iso(from), iso(to), ...(workspaces ? [JSON.stringify(workspaces)] : [])) as {
    server: string | null
    tool: string | null
    calls: number
    errors: number
  }[]
  return mcpSummary(rows)
}

/** Tool-call groups (server, tool) as the Overview's card shows them: totals and the busiest servers and tools. */
export function mcpSummary(
  rows: { server: string | null; tool: string | null; calls: number; errors: number }[],
): McpActivity {
  const servers = new Map<string, { server: string; calls: number; errors: number }>()
  let calls = 0
  let errors = 0
  for (const r of rows) {
    calls += r.calls
    errors += r.errors
    const server = r.server ?? ''
    const s = servers.get(server) ?? { server, calls: 0, errors: 0 }
    s.calls += r.calls
    s.errors += r.errors
    servers.set(server, s)
  }
  const top = <T extends { calls: number }>(list: T[], name: (t: T) => string) =>
    list.sort((a, b) => b.calls - a.calls || name(a).localeCompare(name(b))).slice(0, MCP_TOP)
  return {
    calls,
    errors,
    servers: top([...servers.values()], (s) => s.server),
    tools: top(
      rows.map((r) => ({ server: r.server ?? '', tool: r.tool ?? '', calls: r.calls, errors: r.errors })),
      (t) => `${t.server}\u0000${t.tool}`,
    ),
  }
}

/** Guardrail hits and redacted entities counted from cells and rows, sorted as the reports show them. */
export function hitTally() {
  const guardrails = new Map<string, GuardrailCount>()
  const redactions = new Map<string, RedactionCount>()
  const addHit = (h: Omit<GuardrailCount, 'count'>, count: number) => {
    const key = JSON.stringify([h.check, h.stage, h.action])
    const entry = guardrails.get(key)
    if (entry) entry.count += count
    else guardrails.set(key, { check: h.check, stage: h.stage, action: h.action, count })
  }
  const addEntity = (type: string, count: number) => {
    const entry = redactions.get(type)
    if (entry) entry.count += count
    else redactions.set(type, { type, count })
  }
  return {
    addHit,
    addEntity,
    /** A row's own hits (its guardrails_json and redactions_json). */
    addRow(row: Pick<RollupRow, 'guardrails_json' | 'redactions_json'>) {
      for (const h of JSON.parse(row.guardrails_json ?? '[]') as GuardrailHit[]) addHit(h, 1)
      for (const [type, n] of Object.entries(JSON.parse(row.redactions_json ?? '{}') as Record<string, number>))
        addEntity(type, n)
    },
    result(): Pick<StatsResult, 'byGuardrail' | 'byRedaction'> {
      const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
      return {
        byGuardrail: [...guardrails.values()].sort(
          (a, b) =>
            b.count - a.count || byText(a.check, b.check) || byText(a.stage, b.stage) || byText(a.action, b.action),
        ),
        byRedaction: [...redactions.values()].sort((a, b) => b.count - a.count || byText(a.type, b.type)),
      }
    },
  }
}

/** Guardrail hits and redacted entities: hour cells for whole hours, the rows' JSON for the partial ones. */
function hitCounts(
  db: Db,
  from: number,
  to: number,
  workspaces?: readonly string[],
): Pick<StatsResult, 'byGuardrail' | 'byRedaction'> {
  const { addHit, addEntity, addRow, result } = hitTally()
  const rows = db.prepare(
    `SELECT guardrails_json, redactions_json FROM request_logs WHERE created_at >= ? AND created_at < ?
       AND (guardrails_json IS NOT NULL OR redactions_json IS NOT NULL)${workspaces ? RANGE_WORKSPACE_SQL : ''}`,
  )
  const scope = workspaces ? [JSON.stringify(workspaces)] : []
  const hours: CellLevel = { source: 'hours', size: HOUR_MS, since: -Infinity, until: Infinity }
  for (const piece of planRange(from, to, workspaces ? [] : [hours])) {
    if (piece.source === 'rows') {
      for (const row of rows.iterate(iso(piece.from), iso(piece.to), ...scope) as IterableIterator<RollupRow>)
        addRow(row)
      continue
    }
    const range = [piece.from / 1000, piece.to / 1000]
    for (const g of db.prepare(GUARDRAIL_SQL).all(...range) as GuardrailCount[]) addHit(g, g.count)
    for (const r of db.prepare(REDACTION_SQL).all(...range) as RedactionCount[]) addEntity(r.type, r.count)
  }
  return result()
}
