import type { LogEvent } from '../core/log-event.js'
import type { BodyCipher } from './body-cipher.js'
import { createBodyScrubber, type ScrubbedBody } from './body-scrub.js'
import type { Db } from './db.js'
import { type RollupLine, rollUpNewRows } from './rollups.js'
import { searchIndexer } from './search-index.js'

// The log writer's SQLite part: the same on the request thread (in-memory databases, sealed bodies) and in its
// worker thread (log-writer-worker.ts). It imports no pricing or config, so the worker loads little.

/** What the SQLite part needs to write rows. */
export interface LogStoreOptions {
  storeBodies: boolean
  secrets: Iterable<string>
  cipher?: BodyCipher
}

/** Writes batches of log rows: inserts, bodies, the search index and the rollups, in one transaction each. */
export interface LogStore {
  /** Writes all rows or none (throws); `costs[i]` is row i's price, or null. */
  write(events: readonly LogEvent[], costs: readonly (number | null)[]): void
  setSecrets(secrets: Iterable<string>): void
}

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

export const hasBody = (e: LogEvent): boolean => e.requestBody !== undefined || e.responseBody !== undefined

export function createLogStore(db: Db, options: LogStoreOptions): LogStore {
  const { storeBodies, cipher } = options
  let scrub = createBodyScrubber(options.secrets)
  const scrubText = (text: string) => scrub(text)?.text ?? text
  const insert = db.prepare(INSERT)
  const insertBodies = db.prepare(INSERT_BODIES)
  const index = searchIndexer(db)

  // Anything thrown here would fail the batch forever, so a body that cannot be serialized is stored without it.
  const bodyOf = (body: unknown): ScrubbedBody | null => {
    try {
      const scrubbed = scrub(body)
      return scrubbed && cipher ? { ...scrubbed, text: cipher.seal(scrubbed.text) } : scrubbed
    } catch {
      return null
    }
  }

  const insertMany = db.transaction((events: readonly LogEvent[], costs: readonly (number | null)[]) => {
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

  return {
    write: (events, costs) => insertMany(events, costs),
    setSecrets(secrets) {
      scrub = createBodyScrubber(secrets)
    },
  }
}
