import type { LogEvent, LogSink } from '../core/log-event.js'
import { eventCost } from '../pricing/event-cost.js'
import type { PriceBook } from '../pricing/price-book.js'
import type { BodyCipher } from './body-cipher.js'
import { createBodyScrubber, type ScrubbedBody } from './body-scrub.js'
import type { Db } from './db.js'

export interface LogWriterOptions {
  /** Flush when this many rows are queued. */
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
}

export interface LogWriter extends LogSink {
  /** Writes everything queued now. */
  flush(): void
  /**
   * Rows written so far, rows waiting, flushes that failed and were retried, and rows lost because the
   * database was closed before they could be written (each one also raises a process warning).
   */
  stats(): { written: number; pending: number; retries: number; dropped: number }
  /** Replaces the secrets to strip, e.g. after a key was added through the admin API. */
  setSecrets(secrets: Iterable<string>): void
}

const INSERT = `INSERT INTO request_logs (
  created_at, request_id, inbound_api, route, provider, model, requested_model, key_name, status, error,
  latency_ms, ttft_ms, input_tokens, output_tokens, cached_tokens, cache_write_tokens, reasoning_tokens,
  is_estimated, cost_usd, is_stream, attempts, is_cache_hit, prompt_name, prompt_version, prompt_arm,
  attempt_failures_json, is_fallback, downgraded_from, redactions_json, guardrails_json, guardrail_action,
  cache_saved_usd
) VALUES (
  @created_at, @request_id, @inbound_api, @route, @provider, @model, @requested_model, @key_name, @status, @error,
  @latency_ms, @ttft_ms, @input_tokens, @output_tokens, @cached_tokens, @cache_write_tokens, @reasoning_tokens,
  @is_estimated, @cost_usd, @is_stream, @attempts, @is_cache_hit, @prompt_name, @prompt_version, @prompt_arm,
  @attempt_failures_json, @is_fallback, @downgraded_from, @redactions_json, @guardrails_json, @guardrail_action,
  @cache_saved_usd
)`

const INSERT_BODIES = `INSERT INTO request_log_bodies (log_id, request_json, response_json, is_truncated)
  VALUES (?, ?, ?, ?)`

const ACTION_RANK = { log: 1, flag: 2, block: 3 } as const

/** The most severe guardrail action on a row, so "flagged" and "blocked" filter without parsing JSON. */
function strongestAction(hits: LogEvent['guardrails']): string | null {
  let best: keyof typeof ACTION_RANK | null = null
  for (const h of hits ?? []) if (!best || ACTION_RANK[h.action] > ACTION_RANK[best]) best = h.action
  return best
}

function toRow(e: LogEvent, costUsd: number | null, scrubText: (text: string) => string) {
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
 * Batched SQLite writer: the request path only appends to an array; rows are priced and written in one
 * transaction every `flushMs` or `maxRows`. Never drops a row while the database is open: a failed flush
 * keeps the rows and retries later; `close()` writes everything that is left, and a row pushed after it
 * (a call that ended during shutdown) is written at once. Only a closed database loses rows, loudly.
 */
export function createLogWriter(db: Db, options: LogWriterOptions = {}): LogWriter {
  const { maxRows = 500, flushMs = 200, priceBook, storeBodies = true, onPriced, cipher } = options
  let scrub = createBodyScrubber(options.secrets ?? [])
  const scrubText = (text: string) => scrub(text)?.text ?? text
  const insert = db.prepare(INSERT)
  const insertBodies = db.prepare(INSERT_BODIES)

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
    for (const [i, e] of events.entries()) {
      const { lastInsertRowid } = insert.run(toRow(e, costs[i], scrubText))
      if (!storeBodies || (e.requestBody === undefined && e.responseBody === undefined)) continue
      const req = bodyOf(e.requestBody)
      const res = bodyOf(e.responseBody)
      if (!req && !res) continue
      insertBodies.run(
        lastInsertRowid,
        req?.text ?? null,
        res?.text ?? null,
        req?.isTruncated || res?.isTruncated ? 1 : 0,
      )
    }
  })
  let queue: LogEvent[] = []
  let timer: NodeJS.Timeout | undefined
  let written = 0
  let retries = 0
  let dropped = 0
  let closed = false

  // Never thrown: flushes run from timers and from the end of calls, where an exception would go uncaught.
  const drop = (batch: LogEvent[]) => {
    dropped += batch.length
    const ids = batch.map((e) => e.requestId).join(', ')
    process.emitWarning(`request log database is closed; ${batch.length} row(s) not written: ${ids}`)
  }

  const flush = () => {
    clearTimeout(timer)
    timer = undefined
    if (queue.length === 0) return
    const batch = queue
    queue = []
    if (!db.open) return drop(batch)
    const costs = batch.map(priceOf)
    try {
      insertMany(batch, costs)
      written += batch.length
    } catch (err) {
      if (!db.open) return drop(batch)
      retries++
      queue = batch.concat(queue)
      timer = setTimeout(flush, flushMs * 5)
      timer.unref()
      process.emitWarning(`request log flush failed, will retry: ${(err as Error).message}`)
      return
    }
    if (onPriced) for (const [i, e] of batch.entries()) if (costs[i] !== null && !e.isCacheHit) onPriced(e, costs[i]!)
  }

  return {
    push(e) {
      queue.push(e)
      if (closed) flush()
      else if (queue.length >= maxRows) setImmediate(flush)
      else if (!timer) {
        timer = setTimeout(flush, flushMs)
        timer.unref()
      }
    },
    flush,
    async close() {
      closed = true
      flush()
    },
    stats: () => ({ written, pending: queue.length, retries, dropped }),
    setSecrets(secrets) {
      scrub = createBodyScrubber(secrets)
    },
  }
}
