import type { LogEvent, LogSink } from '../core/log-event.js'
import type { Db } from './db.js'

export interface LogWriterOptions {
  /** Flush when this many rows are queued. */
  maxRows?: number
  /** Flush at most this long after the first queued row. */
  flushMs?: number
}

export interface LogWriter extends LogSink {
  /** Rows written so far, and rows that had to wait for a retry after a failed flush. */
  stats(): { written: number; pending: number; retries: number }
}

const INSERT = `INSERT INTO request_logs (
  created_at, request_id, inbound_api, route, provider, model, requested_model, key_name, status, error,
  latency_ms, ttft_ms, input_tokens, output_tokens, cached_tokens, reasoning_tokens, is_estimated, is_stream, attempts
) VALUES (
  @created_at, @request_id, @inbound_api, @route, @provider, @model, @requested_model, @key_name, @status, @error,
  @latency_ms, @ttft_ms, @input_tokens, @output_tokens, @cached_tokens, @reasoning_tokens, @is_estimated, @is_stream, @attempts
)`

function toRow(e: LogEvent) {
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
    error: e.error ?? null,
    latency_ms: e.latencyMs,
    ttft_ms: e.ttftMs ?? null,
    input_tokens: e.inputTokens ?? null,
    output_tokens: e.outputTokens ?? null,
    cached_tokens: e.cachedTokens ?? null,
    reasoning_tokens: e.reasoningTokens ?? null,
    is_estimated: e.isEstimated ? 1 : 0,
    is_stream: e.stream ? 1 : 0,
    attempts: e.attempts,
  }
}

/**
 * Batched SQLite writer: the request path only appends to an array; rows are written in one
 * transaction every `flushMs` or `maxRows`. Never drops a row: a failed flush keeps the rows and
 * retries later; `close()` writes everything that is left.
 */
export function createLogWriter(db: Db, { maxRows = 500, flushMs = 200 }: LogWriterOptions = {}): LogWriter {
  const insert = db.prepare(INSERT)
  const insertMany = db.transaction((events: LogEvent[]) => {
    for (const e of events) insert.run(toRow(e))
  })
  let queue: LogEvent[] = []
  let timer: NodeJS.Timeout | undefined
  let written = 0
  let retries = 0

  const flush = () => {
    clearTimeout(timer)
    timer = undefined
    if (queue.length === 0) return
    const batch = queue
    queue = []
    try {
      insertMany(batch)
      written += batch.length
    } catch (err) {
      retries++
      queue = batch.concat(queue)
      if (!db.open) throw err
      timer = setTimeout(flush, flushMs * 5)
      timer.unref()
      process.emitWarning(`request log flush failed, will retry: ${(err as Error).message}`)
    }
  }

  return {
    push(e) {
      queue.push(e)
      if (queue.length >= maxRows) setImmediate(flush)
      else if (!timer) {
        timer = setTimeout(flush, flushMs)
        timer.unref()
      }
    },
    async close() {
      flush()
    },
    stats: () => ({ written, pending: queue.length, retries }),
  }
}
