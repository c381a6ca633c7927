import type { LogEvent, LogSink } from '../core/log-event.js'
import { eventCost } from '../pricing/event-cost.js'
import type { PriceBook } from '../pricing/price-book.js'
import type { BodyCipher } from './body-cipher.js'
import { createBodyScrubber, type ScrubbedBody } from './body-scrub.js'
import type { Db } from './db.js'
import { type RollupLine, rollUpNewRows } from './rollups.js'
import { searchIndexer } from './search-index.js'

export interface LogWriterOptions {
  /** Flush when this many rows are queued; also the most rows one transaction writes. */
  maxRows?: number
  /** Flush at most this long after the first queued row. */
  flushMs?: number
  /** Prices each row at flush time, so the request path never pays for the price lookup. */
  priceBook?: PriceBook
  /** Store request and response bodies; default true. */
  storeBodies?: boolean
  /** Configured secrets to strip from stored bodies and error messages wherever they appear. */
  secrets?: Iterable<string>
  /** Seals stored bodies (config `logs.encryptBodies`); sealing happens at flush time, off the request path. */
  cipher?: BodyCipher
  /** Called once for each written row that has a price, so counters of spend need no query. */
  onPriced?: (event: LogEvent, costUsd: number) => void
  /**
   * Most rows held in memory while writes fail (config `logs.maxQueueRows`). Past a tenth of it, the
   * oldest queued rows lose their bodies; past all of it, the oldest rows are dropped. Both are counted.
   */
  maxQueueRows?: number
  /** How long `close()` keeps retrying a failing write before it gives the rows up (and says how many). */
  closeGraceMs?: number
  /** Told when writes start failing and when they work again: once each per episode (alerts). */
  onEpisode?: (episode: WriterEpisode) => void
  /** Where the writer's few warnings go; default `process.emitWarning` as a `SwitchyardLogWriter` warning. */
  warn?: (message: string) => void
}

/** A failure episode: from the first failed write to the next one that succeeds. */
export type WriterEpisode =
  | { state: 'failing'; since: number; error: string }
  | { state: 'recovered'; since: number; dropped: number }

export interface WriterStats {
  /** Rows written so far. */
  written: number
  /** Rows waiting in memory. */
  pending: number
  /** Flushes that failed and were tried again later. */
  retries: number
  /** Rows never written: over `maxQueueRows` while writes failed, left at shutdown, or after the database closed. */
  dropped: number
  /** Rows written (or still queued) without their bodies, to keep the queue small while writes failed. */
  bodiesDropped: number
  /** Whether the last write failed. */
  failing: boolean
}

export interface LogWriter extends LogSink {
  /** Writes everything queued now (unless a write fails: then the rows stay queued for the next try). */
  flush(): void
  stats(): WriterStats
  /** Replaces the secrets to strip, e.g. after a key was added through the admin API. */
  setSecrets(secrets: Iterable<string>): void
}

/** Sized for about a minute of a busy gateway (~800 calls a second) before rows are dropped. */
const DEFAULT_MAX_QUEUE_ROWS = 50_000
const DEFAULT_CLOSE_GRACE_MS = 5_000
/** The wait after a failed write: doubled after each further failure, up to the last. */
const FIRST_RETRY_MS = 100
const MAX_RETRY_MS = 30_000

/** Named, so the process prints `(node:PID) SwitchyardLogWriter: …` rather than an anonymous `Warning: …`. */
const emitWriterWarning = (message: string) => process.emitWarning(message, { type: 'SwitchyardLogWriter' })

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

/** request_logs' columns as toRow names them, in the order INSERT binds them (pg/log-writer.ts binds the same). */
export const COLUMNS = [
  'created_at',
  'request_id',
  'inbound_api',
  'route',
  'provider',
  'model',
  'requested_model',
  'key_name',
  'status',
  'error',
  'latency_ms',
  'ttft_ms',
  'input_tokens',
  'output_tokens',
  'cached_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'is_estimated',
  'cost_usd',
  'is_stream',
  'attempts',
  'is_cache_hit',
  'prompt_name',
  'prompt_version',
  'prompt_arm',
  'attempt_failures_json',
  'is_fallback',
  'downgraded_from',
  'redactions_json',
  'guardrails_json',
  'guardrail_action',
  'cache_saved_usd',
  'caller',
  'session_id',
  'project',
  'tool_call_repairs',
  'client_tool',
  'workspace',
  'person',
] as const satisfies readonly (keyof ReturnType<typeof toRow>)[]

// Positional parameters: better-sqlite3 binds an array by index, named ones by looking up each of the 39
// names in the row object (~2 µs of a row's ~11 µs insert).
const INSERT = `INSERT INTO request_logs (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`

const INSERT_BODIES = `INSERT INTO request_log_bodies (log_id, request_json, response_json, is_truncated)
  VALUES (?, ?, ?, ?)`

const ACTION_RANK = { log: 1, flag: 2, block: 3 } as const

/** The most severe guardrail action on a row, so "flagged" and "blocked" filter without parsing JSON. */
function strongestAction(hits: LogEvent['guardrails']): string | null {
  let best: keyof typeof ACTION_RANK | null = null
  for (const h of hits ?? []) if (!best || ACTION_RANK[h.action] > ACTION_RANK[best]) best = h.action
  return best
}

/** A log row's columns as SQLite stores them; the Postgres writer maps them from here too, so both agree. */
export function toRow(e: LogEvent, costUsd: number | null, scrubText: (text: string) => string) {
  return {
    created_at: new Date(e.startedAt).toISOString(),
    request_id: e.requestId,
    inbound_api: e.inboundApi,
    route: e.route ?? null,
    provider: e.provider ?? null,
    model: e.model ?? null,
    requested_model: e.requestedModel,
    key_name: e.keyName ?? null,
    status: e.status,
    // An upstream error may quote the credential it was sent.
    error: e.error === undefined ? null : scrubText(e.error),
    latency_ms: e.latencyMs,
    ttft_ms: e.ttftMs ?? null,
    input_tokens: e.inputTokens ?? null,
    output_tokens: e.outputTokens ?? null,
    cached_tokens: e.cachedTokens ?? null,
    cache_write_tokens: e.cacheWriteTokens ?? null,
    reasoning_tokens: e.reasoningTokens ?? null,
    is_estimated: e.isEstimated ? 1 : 0,
    // A cache hit cost nothing; what the provider would have charged is kept as `cache_saved_usd`.
    cost_usd: e.isCacheHit ? 0 : costUsd,
    is_stream: e.stream ? 1 : 0,
    attempts: e.attempts,
    is_cache_hit: e.isCacheHit ? 1 : 0,
    prompt_name: e.promptName ?? null,
    prompt_version: e.promptVersion ?? null,
    prompt_arm: e.promptArm ?? null,
    caller: e.caller ?? null,
    session_id: e.sessionId ?? null,
    project: e.project ?? null,
    tool_call_repairs: e.toolCallRepairs || null,
    client_tool: e.clientTool ?? null,
    workspace: e.workspace ?? null,
    person: e.person ?? null,
    attempt_failures_json: e.attemptFailures?.length
      ? JSON.stringify(e.attemptFailures.map((f) => ({ ...f, error: scrubText(f.error) })))
      : null,
    is_fallback: e.isFallback ? 1 : 0,
    downgraded_from: e.downgradedFrom ?? null,
    redactions_json: e.redactions ? JSON.stringify(e.redactions) : null,
    guardrails_json: e.guardrails?.length ? JSON.stringify(e.guardrails) : null,
    guardrail_action: strongestAction(e.guardrails),
    cache_saved_usd: e.isCacheHit ? costUsd : null,
  }
}

/**
 * Batched SQLite writer: the request path only appends to an array; rows are priced and written in
 * transactions of at most `maxRows` every `flushMs`, or at once when that many are queued. A failed write
 * keeps its rows and is tried again after a backoff (100 ms doubling to 30 s), never once per new row;
 * meanwhile the queue is bounded by `maxQueueRows` (bodies of the oldest rows go first, then the oldest
 * rows) and each episode is told once when it starts and once when it ends. `close()` keeps trying for
 * `closeGraceMs`, then names how many rows it could not write; a row pushed after close is written at once.
 */
export function createLogWriter(db: Db, options: LogWriterOptions = {}): LogWriter {
  const { maxRows = 500, flushMs = 200, priceBook, storeBodies = true, onPriced, cipher, onEpisode } = options
  const { maxQueueRows = DEFAULT_MAX_QUEUE_ROWS, closeGraceMs = DEFAULT_CLOSE_GRACE_MS } = options
  const warn = options.warn ?? emitWriterWarning
  // Bodies are most of a queued row's memory: only the newest tenth of a full queue keeps them.
  const maxBodies = Math.max(1, Math.floor(maxQueueRows / 10))
  // A full batch is written at once, and so is a queue at its cap (a small cap never drops before a write fails).
  const flushAt = Math.min(maxRows, maxQueueRows)
  let scrub = createBodyScrubber(options.secrets ?? [])
  const scrubText = (text: string) => scrub(text)?.text ?? text
  const insert = db.prepare(INSERT)
  const insertBodies = db.prepare(INSERT_BODIES)
  const index = searchIndexer(db)

  // Anything thrown here would fail the batch forever, so a row that cannot be priced or serialized
  // is stored without its cost or body instead.
  const priceOf = (e: LogEvent): number | null => (priceBook ? eventCost(priceBook, e) : null)
  const bodyOf = (body: unknown): ScrubbedBody | null => {
    try {
      const scrubbed = scrub(body)
      return scrubbed && cipher ? { ...scrubbed, text: cipher.seal(scrubbed.text) } : scrubbed
    } catch {
      return null
    }
  }

  const insertMany = db.transaction((events: LogEvent[], costs: (number | null)[]) => {
    const rows: RollupLine[] = []
    const times: number[] = []
    let firstId = 0
    let lastId = 0
    for (const [i, e] of events.entries()) {
      const row = toRow(e, costs[i], scrubText)
      const { lastInsertRowid } = insert.run(COLUMNS.map((c) => row[c]))
      lastId = Number(lastInsertRowid)
      if (i === 0) firstId = lastId
      rows.push(row)
      times.push(e.startedAt)
      const req = storeBodies && hasBody(e) ? bodyOf(e.requestBody) : null
      const res = storeBodies && hasBody(e) ? bodyOf(e.responseBody) : null
      if (req || res) {
        insertBodies.run(
          lastInsertRowid,
          req?.text ?? null,
          res?.text ?? null,
          req?.isTruncated || res?.isTruncated ? 1 : 0,
        )
      }
      // The stored (scrubbed, maybe sealed) text: the index never holds a secret the bodies do not.
      index(lastInsertRowid, row, req?.text, res?.text)
    }
    // Stats read rollups; updating them in this transaction means a failed flush leaves neither behind.
    rollUpNewRows(db, Date.now(), { firstId, lastId, rows, times })
  })
  const queue: LogEvent[] = []
  /** Queued rows before this index have had their bodies taken off (or never had any). */
  let bareUpTo = 0
  /** Queued rows from `bareUpTo` on that still hold a body. */
  let bodied = 0
  let timer: NodeJS.Timeout | undefined
  let written = 0
  let retries = 0
  let dropped = 0
  let bodiesDropped = 0
  /** The current failure episode, while writes fail. */
  let episode: { since: number; error: string } | undefined
  /** The counters at the last write that worked: an episode's losses are counted from there. */
  let lastGood = { dropped: 0, bodiesDropped: 0 }
  let nextRetryMs = FIRST_RETRY_MS
  /** 'closing' while close() retries within its grace period; 'closed' after. */
  let phase: 'open' | 'closing' | 'closed' = 'open'

  /** Whether the pending timer is the immediate one a full batch asks for. */
  let soon = false
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

  /** Takes `n` rows off the front of the queue. */
  const take = (n: number): LogEvent[] => {
    const batch = queue.splice(0, n)
    for (let i = bareUpTo; i < batch.length; i++) if (hasBody(batch[i])) bodied--
    bareUpTo = Math.max(0, bareUpTo - batch.length)
    return batch
  }

  // Never thrown: flushes run from timers and from the end of calls, where an exception would go uncaught.
  const drop = (batch: LogEvent[]) => {
    dropped += batch.length
    const ids = batch.map((e) => e.requestId).join(', ')
    warn(`request log database is closed; ${plural(batch.length, 'row', 'rows')} not written: ${ids}`)
  }

  /** Keeps the queue within its caps (reached only while writes fail): oldest bodies first, then the oldest rows. */
  const bound = () => {
    while (bodied > maxBodies && bareUpTo < queue.length) {
      const e = queue[bareUpTo]
      if (hasBody(e)) {
        queue[bareUpTo] = { ...e, requestBody: undefined, responseBody: undefined }
        bodied--
        bodiesDropped++
      }
      bareUpTo++
    }
    if (queue.length <= maxQueueRows) return
    // A hundredth at a time, so a full queue does not move every row on every push.
    dropped += take(queue.length - maxQueueRows + Math.ceil(maxQueueRows / 100)).length
  }

  const failed = (err: unknown) => {
    retries++
    const error = (err as Error).message
    if (!episode) {
      episode = { since: Date.now(), error }
      warn(
        `request log: writes are failing (${error}); calls are still served, up to ${maxQueueRows} rows wait in memory (logs.maxQueueRows) and are retried with a backoff of up to 30 s`,
      )
      onEpisode?.({ state: 'failing', since: episode.since, error })
    }
    if (phase === 'open') schedule(nextRetryMs)
    nextRetryMs = Math.min(nextRetryMs * 2, MAX_RETRY_MS)
  }

  const recovered = () => {
    nextRetryMs = FIRST_RETRY_MS
    const before = lastGood
    lastGood = { dropped, bodiesDropped }
    if (!episode) return
    const { since } = episode
    episode = undefined
    const lost = dropped - before.dropped
    const bare = bodiesDropped - before.bodiesDropped
    const seconds = Math.round((Date.now() - since) / 1000)
    warn(
      `request log: writes recovered after ${seconds} s; ${plural(lost, 'row', 'rows')} dropped` +
        (bare > 0 ? `, ${plural(bare, 'row', 'rows')} kept without bodies` : ''),
    )
    onEpisode?.({ state: 'recovered', since, dropped: lost })
  }

  /** Writes up to `maxRows` rows in one transaction; false when nothing was written (empty or failed). */
  const writeChunk = (): boolean => {
    if (queue.length === 0) return false
    if (!db.open) {
      drop(take(queue.length))
      return false
    }
    const batch = queue.slice(0, maxRows)
    const costs = batch.map(priceOf)
    try {
      insertMany(batch, costs)
    } catch (err) {
      if (!db.open) return writeChunk()
      failed(err)
      return false
    }
    take(batch.length)
    written += batch.length
    recovered()
    if (onPriced) for (const [i, e] of batch.entries()) if (costs[i] !== null && !e.isCacheHit) onPriced(e, costs[i]!)
    return true
  }

  /** A timer's flush: one transaction, then the rest on later turns, so a backlog never blocks the loop. */
  function flushChunk() {
    unschedule()
    if (writeChunk() && queue.length > 0) schedule(0)
  }

  const flushAll = () => {
    unschedule()
    while (writeChunk());
  }

  /** Gives up what is still queued at (or after) shutdown, saying how many rows and why. */
  const giveUp = () => {
    const lost = take(queue.length).length
    dropped += lost
    warn(
      `request log: ${plural(lost, 'row', 'rows')} could not be written at shutdown (${episode?.error ?? 'database closed'}); they are lost`,
    )
  }

  return {
    push(e) {
      queue.push(e)
      if (hasBody(e)) bodied++
      if (bodied > maxBodies || queue.length > maxQueueRows) bound()
      if (phase === 'closed') {
        flushAll()
        if (queue.length > 0) giveUp()
        return
      }
      if (episode) return
      if (phase === 'closing') return
      if (queue.length >= flushAt) {
        if (!soon) schedule(0)
      } else if (!timer) schedule(flushMs)
    },
    flush: flushAll,
    async close() {
      if (phase !== 'open') return
      phase = 'closing'
      const deadline = Date.now() + closeGraceMs
      flushAll()
      while (queue.length > 0 && db.open && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, Math.min(nextRetryMs, deadline - Date.now())))
        flushAll()
      }
      phase = 'closed'
      if (queue.length > 0) giveUp()
    },
    stats: () => ({ written, pending: queue.length, retries, dropped, bodiesDropped, failing: episode !== undefined }),
    setSecrets(secrets) {
      scrub = createBodyScrubber(secrets)
    },
  }
}

export const hasBody = (e: LogEvent) => e.requestBody !== undefined || e.responseBody !== undefined
