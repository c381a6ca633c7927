import type { PoolClient } from 'pg'
import type { LogEvent } from '../../core/log-event.js'
import { eventCost } from '../../pricing/event-cost.js'
import { createBodyScrubber, type ScrubbedBody } from '../body-scrub.js'
import type { Sketch } from '../latency-sketch.js'
import {
  COLUMNS,
  DEFAULT_CLOSE_GRACE_MS,
  DEFAULT_MAX_QUEUE_ROWS,
  hasBody,
  type LogWriter,
  type LogWriterOptions,
  toRow,
  type WriterStats,
} from '../log-writer.js'
import { type Cell, COUNTER_COLUMNS, type Counters, cellsOf, DAY_MS, hitCounts, type RollupLine } from '../rollups.js'
import { bodyText } from '../search-index.js'
import { emitWriterWarning, plural, writeEpisodes } from '../write-episodes.js'
import { PG_CELL_SEPARATOR } from './log-stats.js'
import type { PgPool } from './pool.js'

/** Where the writer finds the database: the gateway's PgLifecycle (its pool once open, its schema once migrated). */
export interface PgLogTarget {
  pool(): PgPool | undefined
  migrated(): boolean
}

/** A target for a pool whose schema is known to be in place (tests, benches). */
export const pgTarget = (pool: PgPool): PgLogTarget => ({ pool: () => pool, migrated: () => true })

export interface PgLogWriter extends LogWriter {
  /** Writes everything queued now; resolves once written, or once a write failed (the rows stay queued). */
  flush(): Promise<void>
}

/**
 * How long a partition's CREATE or DROP waits for its lock. Both need the parent table exclusively, and one waiting
 * behind a long dashboard query would make every flush and every read queue behind it; past this it gives up until the
 * next maintenance pass (maintenance.ts) or flush.
 */
export const PARTITION_LOCK_TIMEOUT = '2s'

/** Postgres array types of request_logs' columns, by the names toRow gives them. */
const TYPES: Record<(typeof COLUMNS)[number], string> = {
  created_at: 'int8',
  request_id: 'text',
  inbound_api: 'text',
  route: 'text',
  provider: 'text',
  model: 'text',
  requested_model: 'text',
  key_name: 'text',
  status: 'int4',
  error: 'text',
  latency_ms: 'float8',
  ttft_ms: 'float8',
  input_tokens: 'int4',
  output_tokens: 'int4',
  cached_tokens: 'int4',
  cache_write_tokens: 'int4',
  reasoning_tokens: 'int4',
  is_estimated: 'int2',
  cost_usd: 'float8',
  is_stream: 'int2',
  attempts: 'int4',
  is_cache_hit: 'int2',
  prompt_name: 'text',
  prompt_version: 'int4',
  prompt_arm: 'text',
  attempt_failures_json: 'text',
  is_fallback: 'int2',
  downgraded_from: 'text',
  redactions_json: 'text',
  guardrails_json: 'text',
  guardrail_action: 'text',
  cache_saved_usd: 'float8',
  caller: 'text',
  session_id: 'text',
  project: 'text',
  tool_call_repairs: 'int4',
  client_tool: 'text',
  workspace: 'text',
  person: 'text',
}

/** Bound after the row's columns: its stored bodies, and the two texts its search document is made of. */
const EXTRA = [
  ['request_json', 'text'],
  ['response_json', 'text'],
  ['is_truncated', 'int2'],
  ['search_meta', 'text'],
  ['search_body', 'text'],
] as const

const ALL = [...COLUMNS.map((c) => [c, TYPES[c]] as const), ...EXTRA]

// One statement per flush whatever its size: each column is one array parameter (no limit on rows), and the
// search document is made in the database from the texts search-index.ts takes (weight A: meta, B: bodies).
const INSERT = `INSERT INTO request_logs (${COLUMNS.join(', ')}, request_json, response_json, is_truncated, search)
  SELECT ${COLUMNS.join(', ')}, request_json, response_json, is_truncated,
    setweight(to_tsvector('simple', search_meta), 'A') || setweight(to_tsvector('simple', coalesce(search_body, '')), 'B')
  FROM unnest(${ALL.map(([, t], i) => `$${i + 1}::${t}[]`).join(', ')}) AS r(${ALL.map(([c]) => c).join(', ')})`

const COUNTERS = Object.values(COUNTER_COLUMNS)
const COUNTER_TYPES: Record<keyof Counters, string> = {
  requests: 'int8',
  errors: 'int8',
  inputTokens: 'int8',
  outputTokens: 'int8',
  costUsd: 'float8',
  cacheHits: 'int8',
  cacheSavedUsd: 'float8',
  guardrailBlocked: 'int8',
  guardrailFlagged: 'int8',
  redactedCalls: 'int8',
}
const COUNTER_KEYS = Object.keys(COUNTER_COLUMNS) as (keyof Counters)[]

// Two instances adding to one cell: the upsert's row lock makes them take turns, and both sums count.
const upsertCells = (table: string) => {
  const types = ['int8', 'text', 'text', ...COUNTER_KEYS.map((k) => COUNTER_TYPES[k]), 'jsonb', 'jsonb']
  return `INSERT INTO ${table} AS c (start, dim, value, ${COUNTERS.join(', ')}, latency_sketch, ttft_sketch)
  SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
  ON CONFLICT (dim, start, value) DO UPDATE SET ${COUNTERS.map((c) => `${c} = c.${c} + excluded.${c}`).join(', ')},
    latency_sketch = switchyard_sketch_merge(c.latency_sketch, excluded.latency_sketch),
    ttft_sketch = switchyard_sketch_merge(c.ttft_sketch, excluded.ttft_sketch)`
}
const UPSERT_HOURS = upsertCells('log_rollup_hours')
const UPSERT_DAYS = upsertCells('log_rollup_days')
const UPSERT_GUARDRAILS = `INSERT INTO log_rollup_guardrails AS g (start, check_name, stage, action, count)
  SELECT * FROM unnest($1::int8[], $2::text[], $3::text[], $4::text[], $5::int8[])
  ON CONFLICT (start, check_name, stage, action) DO UPDATE SET count = g.count + excluded.count`
const UPSERT_REDACTIONS = `INSERT INTO log_rollup_redactions AS r (start, type, count)
  SELECT * FROM unnest($1::int8[], $2::text[], $3::int8[])
  ON CONFLICT (start, type) DO UPDATE SET count = r.count + excluded.count`
const ENSURE_PARTITIONS = 'SELECT switchyard_log_partition(d) FROM unnest($1::int8[]) AS d'
/** Rows of a batch whose earlier COMMIT may have landed: matched by request id and start time. */
const ALREADY_WRITTEN = `SELECT request_id, created_at FROM request_logs
  WHERE created_at BETWEEN $1 AND $2 AND request_id = ANY($3::text[])`

/**
 * Errors about the rows themselves (SQLSTATE classes 22 data exception, 23 integrity constraint, 54 program limit),
 * which trying again cannot mend, unlike a lost connection or a timeout.
 */
const isRefusal = (err: unknown) => /^(22|23|54)/.test((err as { code?: string }).code ?? '')

/** Postgres text cannot hold NUL: a body or error carrying one would fail its flush on every retry. */
const text = (v: string | null | undefined): string | null =>
  v == null ? null : v.includes('\u0000') ? v.replaceAll('\u0000', '') : v
/** An integer column refuses 1.5 or 1e12, which would fail the flush forever: a fraction is rounded, a count past int4 stored as none. */
const int = (v: number | null | undefined): number | null =>
  v == null || !Number.isFinite(v) ? null : Math.abs(v) < 2 ** 31 ? Math.round(v) : null
const num = (v: number | null | undefined): number | null => (v == null || !Number.isFinite(v) ? null : v)

const sketchJson = (s: Sketch): string | null => {
  if (s.size === 0) return null
  const o: Record<string, number> = {}
  for (const [bin, n] of s) o[bin] = n
  return JSON.stringify(o)
}

/** One column per array, the cells sorted so that every instance locks the cells of a flush in the same order. */
function cellParams(cells: Cell[]): unknown[][] {
  cells.sort((a, b) =>
    a.dim !== b.dim ? (a.dim < b.dim ? -1 : 1) : a.start !== b.start ? a.start - b.start : a.value < b.value ? -1 : 1,
  )
  const cols: unknown[][] = Array.from({ length: 5 + COUNTER_KEYS.length }, () => [])
  for (const c of cells) {
    cols[0].push(c.start)
    cols[1].push(text(c.dim))
    // A per-workspace cell's value is `<workspace>\u0000<value>` (rollups.ts): NUL cannot be stored, so the readers'
    // separator takes its place (stripped, `ops`+`gpt-4o` could not be told apart from `opsg`+`pt-4o`).
    cols[2].push(text(c.value.replaceAll('\u0000', PG_CELL_SEPARATOR)))
    for (const [k, key] of COUNTER_KEYS.entries()) cols[3 + k].push(c.counters[key])
    cols[3 + COUNTER_KEYS.length].push(sketchJson(c.latency))
    cols[4 + COUNTER_KEYS.length].push(sketchJson(c.ttft))
  }
  return cols
}

/** Guardrail hits by hour and check, and redacted entities by hour and type, as array parameters (sorted). */
function hitParams(
  rows: readonly RollupLine[],
  times: readonly number[],
): { hits: unknown[][]; entities: unknown[][] } {
  const { hits, entities } = hitCounts(rows, times)
  const columns = (m: Map<string, number>, width: number) => {
    const cols: unknown[][] = Array.from({ length: width }, () => [])
    for (const key of [...m.keys()].sort()) {
      const parts = JSON.parse(key) as unknown[]
      for (const [j, p] of parts.entries()) cols[j].push(typeof p === 'string' ? text(p) : p)
      cols[width - 1].push(m.get(key))
    }
    return cols
  }
  return { hits: columns(hits, 5), entities: columns(entities, 3) }
}

/**
 * Adds `lines` (rows as stored, started at `times`) to the hour and day cells and the guardrail and redaction
 * counts: each flush's rows in its transaction, and test/bench/pg-dashboards.ts's rows made in SQL, so a
 * benchmark's rollups are the writer's own.
 */
export async function rollUpRows(
  client: Pick<PoolClient, 'query'>,
  lines: readonly RollupLine[],
  times: readonly number[],
): Promise<void> {
  const cells = cellsOf(lines, times, Number.POSITIVE_INFINITY)
  const hours = cells.filter((c) => c.level === 'h')
  const dayCells = cells.filter((c) => c.level === 'd')
  if (hours.length > 0) await client.query(UPSERT_HOURS, cellParams(hours))
  if (dayCells.length > 0) await client.query(UPSERT_DAYS, cellParams(dayCells))
  const { hits, entities } = hitParams(lines, times)
  if (hits[0].length > 0) await client.query(UPSERT_GUARDRAILS, hits)
  if (entities[0].length > 0) await client.query(UPSERT_REDACTIONS, entities)
}

/**
 * The request log's writer on Postgres (config `database`), with the SQLite writer's contract (store/log-writer.ts):
 * the request path only appends to an array; rows are priced, scrubbed and (with `cipher`) sealed at flush time and
 * written every `flushMs` or once `maxRows` are queued, each flush ONE insert of array parameters (`unnest`) with
 * its rollup cells upserted in the same transaction. Flushes run on the pool, never two at once, and never block a
 * call. A failed flush keeps its rows (backoff 100 ms doubling to 30 s, and at once when the pool sees the database
 * again); meanwhile the queue is bounded by `maxQueueRows` (the oldest rows lose their bodies past a tenth, then the
 * oldest rows go), each episode is told once when it starts and once when it ends, and a batch whose COMMIT may
 * have landed before the connection broke is checked against the table before it is written again, so a row is
 * written once. `close()` keeps trying for `closeGraceMs`, then names how many rows it could not write.
 */
export function createPgLogWriter(target: PgLogTarget, options: LogWriterOptions = {}): PgLogWriter {
  const { maxRows = 500, flushMs = 200, priceBook, storeBodies = true, onPriced, cipher, onEpisode } = options
  const { maxQueueRows = DEFAULT_MAX_QUEUE_ROWS, closeGraceMs = DEFAULT_CLOSE_GRACE_MS } = options
  const warn = options.warn ?? emitWriterWarning
  const maxBodies = Math.max(1, Math.floor(maxQueueRows / 10))
  const flushAt = Math.min(maxRows, maxQueueRows)
  let scrub = createBodyScrubber(options.secrets ?? [])
  const scrubText = (t: string) => scrub(t)?.text ?? t

  const priceOf = (e: LogEvent): number | null => {
    try {
      return priceBook ? eventCost(priceBook, e) : null
    } catch {
      return null
    }
  }
  const bodyOf = (body: unknown): ScrubbedBody | null => {
    try {
      const scrubbed = scrub(body)
      return scrubbed && cipher ? { ...scrubbed, text: cipher.seal(scrubbed.text) } : scrubbed
    } catch {
      return null
    }
  }

  const queue: LogEvent[] = []
  let bareUpTo = 0
  let bodied = 0
  /** Rows taken off the queue by the flush in flight: they count against the bound, and come back if it fails. */
  let inflight = 0
  let running: Promise<boolean> | undefined
  /** A flush was asked for while one ran: the next starts as soon as it ends. */
  let again = false
  let timer: NodeJS.Timeout | undefined
  let soon = false
  let written = 0
  let dropped = 0
  let bodiesDropped = 0
  const episodes = writeEpisodes({ warn, onEpisode, maxQueueRows, target: 'to Postgres' })
  let phase: 'open' | 'closing' | 'closed' = 'open'
  /** Day partitions (their first ms) this writer has seen exist; new days are made before the insert. */
  const days = new Set<number>()
  /** Rows of a flush whose COMMIT was sent but not answered: they may be in the table already. */
  const uncertain = new WeakSet<LogEvent>()
  let watched: PgPool | undefined
  let unwatch: (() => void) | undefined

  const schedule = (ms: number) => {
    clearTimeout(timer)
    soon = ms === 0
    timer = setTimeout(flushChunk, ms)
    timer.unref()
  }
  const unschedule = () => {
    clearTimeout(timer)
    timer = undefined
    soon = false
  }

  const take = (n: number): LogEvent[] => {
    const batch = queue.splice(0, n)
    for (let i = bareUpTo; i < batch.length; i++) if (hasBody(batch[i])) bodied--
    bareUpTo = Math.max(0, bareUpTo - batch.length)
    return batch
  }

  /** Puts a failed batch back at the front of the queue (bodies recounted: the batch may hold some). */
  const putBack = (batch: LogEvent[]) => {
    queue.unshift(...batch)
    bareUpTo = 0
    bodied = 0
    for (const e of queue) if (hasBody(e)) bodied++
    bound()
  }

  const bound = () => {
    while (bodied > maxBodies && bareUpTo < queue.length) {
      const e = queue[bareUpTo]
      if (hasBody(e)) {
        queue[bareUpTo] = { ...e, requestBody: undefined, responseBody: undefined }
        if (uncertain.has(e)) uncertain.add(queue[bareUpTo])
        bodied--
        bodiesDropped++
      }
      bareUpTo++
    }
    const cap = Math.max(0, maxQueueRows - inflight)
    if (queue.length <= cap) return
    dropped += take(Math.min(queue.length, queue.length - cap + Math.ceil(maxQueueRows / 100))).length
  }

  const failed = (err: unknown) => {
    const wait = episodes.failed(err)
    if (phase === 'open') schedule(wait)
  }

  /** A pool that sees the database again ends the backoff wait: the queue is written at once. */
  const watch = (pool: PgPool) => {
    if (watched === pool) return
    unwatch?.()
    watched = pool
    unwatch = pool.onChange((up) => {
      if (up && episodes.failing && phase === 'open' && !running) schedule(0)
    })
  }

  const insert = async (client: PoolClient, batch: LogEvent[], costs: (number | null)[]) => {
    const cols: unknown[][] = ALL.map(() => [])
    const lines: RollupLine[] = []
    const times: number[] = []
    for (const [i, e] of batch.entries()) {
      const row = toRow(e, costs[i], scrubText) as Record<(typeof COLUMNS)[number], unknown>
      // The values as stored, so the rollups count what the row holds.
      for (const c of COLUMNS) {
        const t = TYPES[c]
        const v = c === 'created_at' ? e.startedAt : row[c]
        row[c] =
          t === 'text' ? text(v as string | null) : t === 'int4' || t === 'int2' ? int(v as number) : num(v as number)
      }
      for (const [k, c] of COLUMNS.entries()) cols[k].push(row[c])
      lines.push(row as unknown as RollupLine)
      times.push(e.startedAt)
      const req = storeBodies && hasBody(e) ? bodyOf(e.requestBody) : null
      const res = storeBodies && hasBody(e) ? bodyOf(e.responseBody) : null
      const base = COLUMNS.length
      cols[base].push(text(req?.text))
      cols[base + 1].push(text(res?.text))
      cols[base + 2].push(req?.isTruncated || res?.isTruncated ? 1 : 0)
      const meta = [row.request_id, row.route, row.requested_model, row.model, row.error].filter((v) => v).join(' ')
      const body = [bodyText(req?.text), bodyText(res?.text)].filter((t) => t !== null).join(' ')
      cols[base + 3].push(text(meta))
      cols[base + 4].push(text(body) || null)
    }
    await client.query(INSERT, cols)
    await rollUpRows(client, lines, times)
  }

  /** Leaves out of `batch` the rows an unanswered COMMIT did write (same request id and start time). */
  const unwritten = async (client: PoolClient, batch: LogEvent[]): Promise<LogEvent[]> => {
    const times = batch.map((e) => e.startedAt)
    const found = await client.query<{ request_id: string; created_at: number }>(ALREADY_WRITTEN, [
      Math.min(...times),
      Math.max(...times),
      batch.map((e) => text(e.requestId)),
    ])
    const seen = new Map<string, number>()
    for (const r of found.rows) {
      const key = `${r.request_id}\u0000${r.created_at}`
      seen.set(key, (seen.get(key) ?? 0) + 1)
    }
    return batch.filter((e) => {
      const key = `${text(e.requestId)}\u0000${e.startedAt}`
      const n = seen.get(key) ?? 0
      if (n === 0) return true
      seen.set(key, n - 1)
      return false
    })
  }

  const onClientError = () => undefined
  /** The most rows the next flush takes: below maxRows while a batch holding a refused row is being halved. */
  let splitTo = maxRows

  /** Writes up to `maxRows` rows in one transaction; false when nothing was written (empty or failed). */
  const writeChunk = async (): Promise<boolean> => {
    if (queue.length === 0) return false
    const pool = target.pool()
    if (!pool && phase === 'closed') {
      const batch = take(queue.length)
      dropped += batch.length
      warn(
        `request log database is closed; ${plural(batch.length, 'row', 'rows')} not written: ${batch.map((e) => e.requestId).join(', ')}`,
      )
      return false
    }
    const batch = take(Math.min(maxRows, splitTo))
    inflight = batch.length
    let client: PoolClient | undefined
    let commitSent = false
    let broken: Error | undefined
    try {
      if (!pool) throw new Error('Postgres is not connected')
      watch(pool)
      if (!target.migrated()) throw new Error('the request log schema is not in place yet')
      const costs = batch.map(priceOf)
      const newDays = [...new Set(batch.map((e) => e.startedAt - (((e.startedAt % DAY_MS) + DAY_MS) % DAY_MS)))].filter(
        (d) => Number.isFinite(d) && !days.has(d),
      )
      client = await pool.pool.connect()
      // A checked-out connection that breaks between two statements emits 'error', which the pool does not
      // catch: unheard, it would end the process. Heard, it fails this flush like any other error.
      client.on('error', onClientError)
      // Made outside the insert's transaction: creating a partition locks the parent table, so it waits a bounded
      // time for a running dashboard query rather than making every other statement queue behind it.
      if (newDays.length > 0) {
        await client.query('BEGIN')
        await client.query(`SET LOCAL lock_timeout = '${PARTITION_LOCK_TIMEOUT}'`)
        await client.query(ENSURE_PARTITIONS, [newDays])
        await client.query('COMMIT')
      }
      await client.query('BEGIN')
      const rows = batch.some((e) => uncertain.has(e)) ? await unwritten(client, batch) : batch
      const rowCosts = rows === batch ? costs : rows.map((e) => costs[batch.indexOf(e)])
      if (rows.length > 0) await insert(client, rows, rowCosts)
      commitSent = true
      await client.query('COMMIT')
      for (const d of newDays) days.add(d)
      // A long-lived writer sees a few new days a week; forgetting them now and then re-checks cheaply.
      if (days.size > 64) days.clear()
      inflight = 0
      written += batch.length
      episodes.recovered({ dropped, bodiesDropped })
      if (onPriced) for (const [i, e] of batch.entries()) if (costs[i] !== null && !e.isCacheHit) onPriced(e, costs[i]!)
      return true
    } catch (err) {
      broken = err as Error
      if (client && !commitSent)
        await client.query('ROLLBACK').then(
          () => (broken = undefined),
          () => undefined,
        )
      if (commitSent) for (const e of batch) uncertain.add(e)
      inflight = 0
      // A row the database refuses would fail its batch on every retry and hold up the whole log behind it: the
      // batch is halved until that row stands alone, and then it alone is dropped (and named).
      if (!commitSent && isRefusal(err)) {
        if (batch.length === 1) {
          dropped++
          splitTo = maxRows
          warn(`request log: Postgres refused row ${batch[0].requestId} (${(err as Error).message}); it is dropped`)
          return true
        }
        splitTo = Math.ceil(batch.length / 2)
        putBack(batch)
        return true
      }
      putBack(batch)
      failed(err)
      return false
    } finally {
      client?.off('error', onClientError)
      client?.release(broken)
    }
  }

  /** One flush at a time: a caller arriving while one runs waits for it (and then writes what it left). */
  const runOnce = (): Promise<boolean> => {
    if (running) return running
    running = writeChunk().finally(() => {
      running = undefined
    })
    return running
  }

  function flushChunk() {
    unschedule()
    if (running) {
      again = true
      return
    }
    void runOnce().then((ok) => {
      const more = again || queue.length >= flushAt
      again = false
      if (episodes.failing || phase !== 'open') return
      if (ok && queue.length > 0 && more) schedule(0)
      else if (queue.length > 0 && !timer) schedule(flushMs)
    })
  }

  const flushAll = async () => {
    unschedule()
    if (running) await running
    while (await runOnce());
  }

  const giveUp = () => {
    const lost = take(queue.length).length
    dropped += lost
    warn(
      `request log: ${plural(lost, 'row', 'rows')} could not be written to Postgres at shutdown (${episodes.error ?? 'database closed'}); they are lost`,
    )
  }

  return {
    push(e) {
      queue.push(e)
      if (hasBody(e)) bodied++
      if (bodied > maxBodies || queue.length + inflight > maxQueueRows) bound()
      if (phase === 'closed') {
        void flushAll().then(() => {
          if (queue.length > 0) giveUp()
        })
        return
      }
      if (episodes.failing || phase === 'closing') return
      if (queue.length >= flushAt) {
        if (!soon) schedule(0)
      } else if (!timer) schedule(flushMs)
    },
    flush: flushAll,
    async close() {
      if (phase !== 'open') return
      phase = 'closing'
      const deadline = Date.now() + closeGraceMs
      await flushAll()
      while (queue.length > 0 && target.pool() && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, Math.min(episodes.retryMs, Math.max(0, deadline - Date.now()))))
        await flushAll()
      }
      phase = 'closed'
      unschedule()
      unwatch?.()
      if (queue.length > 0) giveUp()
    },
    stats: (): WriterStats => ({
      written,
      pending: queue.length + inflight,
      retries: episodes.retries,
      dropped,
      bodiesDropped,
      failing: episodes.failing,
    }),
    setSecrets(secrets) {
      scrub = createBodyScrubber(secrets)
    },
  }
}
