import { setImmediate as nextTurn } from 'node:timers/promises'
import type { LogDetail, LogItem, LogPage } from '../../src-shared/contract/logs.js'
import type { GuardrailHit } from '../core/log-event.js'
import { BODY_KEY_ENV, type BodyCipher, isSealedBody } from './body-cipher.js'
import type { Db } from './db.js'
import { type LogFilter, logSelection } from './log-filter.js'

/** The list's columns (no bodies); the Postgres reader (pg/log-queries.ts) selects the same ones. */
export const COLUMNS = `id, created_at, request_id, inbound_api, route, provider, model, requested_model, key_name, status,
  error, latency_ms, ttft_ms, input_tokens, output_tokens, cached_tokens, cache_write_tokens, reasoning_tokens,
  is_estimated, cost_usd, is_stream, attempts, is_cache_hit, is_fallback, attempt_failures_json,
  prompt_name, prompt_version, prompt_arm, redactions_json, guardrails_json, guardrail_action, cache_saved_usd, caller,
  session_id, project, tool_call_repairs, client_tool, workspace, person`

export interface LogRow {
  id: number
  created_at: string
  request_id: string
  inbound_api: string
  route: string | null
  provider: string | null
  model: string | null
  requested_model: string | null
  key_name: string | null
  status: number
  error: string | null
  latency_ms: number
  ttft_ms: number | null
  input_tokens: number | null
  output_tokens: number | null
  cached_tokens: number | null
  cache_write_tokens: number | null
  reasoning_tokens: number | null
  is_estimated: number
  cost_usd: number | null
  is_stream: number
  attempts: number
  is_cache_hit: number
  is_fallback: number
  attempt_failures_json: string | null
  prompt_name: string | null
  prompt_version: number | null
  prompt_arm: string | null
  redactions_json: string | null
  guardrails_json: string | null
  guardrail_action: GuardrailHit['action'] | null
  cache_saved_usd: number | null
  caller: LogItem['caller']
  session_id: string | null
  project: string | null
  tool_call_repairs: number | null
  client_tool: string | null
  workspace: string | null
  person: string | null
}

/** A log row, its detail and a page of them (stated by the admin contract). */
export type { LogDetail, LogItem }

/** What an encrypted body reads as when it cannot be decrypted, in place of the body. */
export const UNREADABLE_BODY = '[encrypted body: cannot be decrypted with the current key]'

/** The export's columns, in order. */
export const LOG_ITEM_FIELDS: (keyof LogItem)[] = [
  'id',
  'createdAt',
  'requestId',
  'inboundApi',
  'route',
  'provider',
  'model',
  'requestedModel',
  'keyName',
  'status',
  'error',
  'latencyMs',
  'ttftMs',
  'inputTokens',
  'outputTokens',
  'cachedTokens',
  'cacheWriteTokens',
  'reasoningTokens',
  'isEstimated',
  'costUsd',
  'isStream',
  'attempts',
  'isCacheHit',
  'isFallback',
  'promptName',
  'promptVersion',
  'promptArm',
  'caller',
  'sessionId',
  'project',
  'toolCallRepairs',
  'clientTool',
  'workspace',
  'person',
  'redactions',
  'guardrails',
  'guardrailAction',
  'cacheSavedUsd',
]

export function toItem(r: LogRow): LogItem {
  return {
    id: r.id,
    createdAt: r.created_at,
    requestId: r.request_id,
    inboundApi: r.inbound_api,
    route: r.route,
    provider: r.provider,
    model: r.model,
    requestedModel: r.requested_model,
    keyName: r.key_name,
    status: r.status,
    error: r.error,
    latencyMs: r.latency_ms,
    ttftMs: r.ttft_ms,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    cachedTokens: r.cached_tokens,
    cacheWriteTokens: r.cache_write_tokens,
    reasoningTokens: r.reasoning_tokens,
    isEstimated: r.is_estimated === 1,
    costUsd: r.cost_usd,
    isStream: r.is_stream === 1,
    attempts: r.attempts,
    isCacheHit: r.is_cache_hit === 1,
    isFallback: r.is_fallback === 1,
    attemptFailures: r.attempt_failures_json ? JSON.parse(r.attempt_failures_json) : [],
    promptName: r.prompt_name,
    promptVersion: r.prompt_version,
    promptArm: r.prompt_arm,
    redactions: r.redactions_json ? JSON.parse(r.redactions_json) : {},
    guardrails: r.guardrails_json ? JSON.parse(r.guardrails_json) : [],
    guardrailAction: r.guardrail_action,
    cacheSavedUsd: r.cache_saved_usd,
    caller: r.caller,
    sessionId: r.session_id,
    project: r.project,
    toolCallRepairs: r.tool_call_repairs ?? 0,
    clientTool: r.client_tool,
    workspace: r.workspace,
    person: r.person,
  }
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** A stored body as the API shows it, or why it cannot be shown: a row with a foreign key must not fail the request. */
export function readBody(text: string | null, cipher: BodyCipher | undefined): { body: unknown; error?: string } {
  if (text === null) return { body: null }
  if (!isSealedBody(text)) return { body: parseBody(text) }
  if (!cipher) {
    return { body: UNREADABLE_BODY, error: `bodies are encrypted but no key is available (set ${BODY_KEY_ENV})` }
  }
  try {
    return { body: parseBody(cipher.open(text)) }
  } catch (err) {
    return { body: UNREADABLE_BODY, error: (err as Error).message }
  }
}

/** A list's `total` counts matching rows up to this many; past it the page says `isTotalCapped`. */
export const TOTAL_CAP = 10_000

export type { LogPage }

/** The rows with these ids, newest first. */
export function rowsById(db: Db, ids: number[]): LogItem[] {
  if (ids.length === 0) return []
  const rows = db
    .prepare(`SELECT ${COLUMNS} FROM request_logs WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id DESC`)
    .all(JSON.stringify(ids)) as LogRow[]
  return rows.map(toItem)
}

/**
 * Ids one step of a list looks through: a filter that matches few rows (or none) scans at most this many
 * per step, with a turn of the event loop between steps, instead of the whole log in one go.
 */
const ID_WINDOW = 20_000

/**
 * Up to `want` ids matching the filter, newest first, below `before` and above `after`, read window by
 * window down the id range.
 */
async function matchingIds(
  db: Db,
  filter: LogFilter,
  { before, after }: { before?: number; after?: number },
  want: number,
): Promise<number[]> {
  // Two subqueries: SQLite reads min() or max() from the end of the index only when each stands alone.
  const span = db
    .prepare('SELECT (SELECT min(id) FROM request_logs) AS lo, (SELECT max(id) FROM request_logs) AS hi')
    .get() as {
    lo: number | null
    hi: number | null
  }
  if (span.lo === null || span.hi === null) return []
  const floor = Math.max(span.lo, after === undefined ? span.lo : after + 1)
  let top = Math.min(before ?? span.hi + 1, span.hi + 1)
  const ids: number[] = []
  while (top > floor && ids.length < want) {
    const bottom = Math.max(floor, top - ID_WINDOW)
    const s = logSelection(filter, { before: top, after: bottom - 1 })
    const found = db
      .prepare(`SELECT ${s.id} FROM ${s.from} ${s.where} ORDER BY ${s.id} DESC LIMIT ?`)
      .pluck()
      .all(...s.params, want - ids.length) as number[]
    ids.push(...found)
    top = bottom
    if (top > floor && ids.length < want) {
      await nextTurn()
      if (!db.open) break
    }
  }
  return ids
}

/**
 * Newest first, keyset-paginated by id: `cursor` is the `nextCursor` of the previous page; `after` keeps only
 * rows newer than that id (a live view asking for what arrived since its top row). The filter runs once: one
 * pass over the matching ids, stopped at TOTAL_CAP + 1, gives both the page and the count, so a page over a
 * million rows never counts them all, and the pass goes window by window, so it never holds the thread long.
 */
export async function listLogs(
  db: Db,
  filter: LogFilter,
  { limit, cursor, after }: { limit: number; cursor?: number; after?: number },
): Promise<LogPage> {
  const ids = await matchingIds(db, filter, { before: cursor, after }, TOTAL_CAP + 1)
  const pageIds = ids.slice(0, limit)
  return {
    items: rowsById(db, pageIds),
    total: Math.min(ids.length, TOTAL_CAP),
    isTotalCapped: ids.length > TOTAL_CAP,
    nextCursor: ids.length > limit ? String(pageIds[pageIds.length - 1]) : null,
  }
}

/** One row with its bodies; `cipher` opens encrypted ones (plain ones read without it). */
export function getLog(db: Db, id: number, cipher?: BodyCipher): LogDetail | null {
  const row = db
    .prepare(
      `SELECT ${COLUMNS}, b.request_json, b.response_json, b.is_truncated FROM request_logs
       LEFT JOIN request_log_bodies b ON b.log_id = request_logs.id WHERE id = ?`,
    )
    .get(id) as
    | (LogRow & { request_json: string | null; response_json: string | null; is_truncated: number | null })
    | undefined
  if (!row) return null
  const request = readBody(row.request_json, cipher)
  const response = readBody(row.response_json, cipher)
  return {
    ...toItem(row),
    requestBody: request.body,
    responseBody: response.body,
    isBodyTruncated: row.is_truncated === 1,
    bodyError: request.error ?? response.error ?? null,
  }
}

/**
 * Every matching row, newest first, in batches. Each batch is read to the end before it is yielded: an
 * open better-sqlite3 iterator would block the log writer's inserts on this connection meanwhile. A batch
 * takes a few milliseconds (turning rows into objects is most of it), so a consumer that waits between
 * batches lets other calls run; one that stops early stops the reading.
 */
export function* logBatches(db: Db, filter: LogFilter, batchSize = 200): Generator<LogItem[]> {
  let cursor: number | undefined
  for (;;) {
    const s = logSelection(filter, { before: cursor })
    const ids = db
      .prepare(`SELECT ${s.id} FROM ${s.from} ${s.where} ORDER BY ${s.id} DESC LIMIT ?`)
      .pluck()
      .all(...s.params, batchSize) as number[]
    const batch = rowsById(db, ids)
    if (batch.length > 0) yield batch
    if (ids.length < batchSize) return
    cursor = ids[ids.length - 1]
  }
}
