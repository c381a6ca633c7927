import { type Static, Type } from 'typebox'
import { PageQueryFields } from './common.js'

/*
 * The request log (GET /admin/v1/logs, /logs/:id, /logs/export): the requests' schemas, and the answers as types
 * only (these hot endpoints are not re-serialized against a schema).
 */

/** The filters shared by the log list, the export and a replay's choice of logged calls. */
export const LogFilterFields = {
  from: Type.Optional(Type.String({ minLength: 1, description: 'ISO-8601 time, inclusive' })),
  to: Type.Optional(Type.String({ minLength: 1, description: 'ISO-8601 time, exclusive' })),
  model: Type.Optional(Type.String({ minLength: 1 })),
  provider: Type.Optional(Type.String({ minLength: 1 })),
  key: Type.Optional(Type.String({ minLength: 1 })),
  status: Type.Optional(
    Type.String({ pattern: '^([1-5][0-9][0-9]|error)$', description: 'a status code, or "error"' }),
  ),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  cache: Type.Optional(Type.Union([Type.Literal('hit'), Type.Literal('miss')])),
  guardrail: Type.Optional(
    Type.Union([Type.Literal('block'), Type.Literal('flag'), Type.Literal('log'), Type.Literal('any')], {
      description: 'the strongest guardrail action on the call, or any',
    }),
  ),
  redacted: Type.Optional(Type.Literal('true', { description: 'only calls where redaction found something' })),
}
export const LogFilterSchema = Type.Object(LogFilterFields, { additionalProperties: false })
export type LogFilterQuery = Static<typeof LogFilterSchema>

/** GET /admin/v1/logs: a page of the filtered rows, newest first. */
export const LogsQuerySchema = Type.Object({
  ...LogFilterFields,
  ...PageQueryFields,
  after: Type.Optional(
    Type.String({ pattern: '^[0-9]+$', description: "only rows newer than this id (a live view's top row)" }),
  ),
})
export type LogsQuery = Static<typeof LogsQuerySchema>

/** `:id` of GET /admin/v1/logs/:id. */
export const LogParamsSchema = Type.Object({ id: Type.Integer({ minimum: 1 }) })
export type LogParams = Static<typeof LogParamsSchema>

/** GET /admin/v1/logs/export: every filtered row, as JSON lines or CSV. */
export const LogExportQuerySchema = Type.Object({
  ...LogFilterFields,
  format: Type.Union([Type.Literal('jsonl'), Type.Literal('csv')], { default: 'jsonl' }),
})
export type LogExportQuery = Static<typeof LogExportQuerySchema>

/** A guardrail check that matched: where, which, what it did, and why. */
export interface GuardrailHit {
  stage: 'input' | 'output'
  /** The check's kind: max_tokens, blocked_patterns, prompt_injection or json_schema. */
  type: string
  /** The check's configured name (its type unless named). */
  check: string
  action: 'block' | 'flag' | 'log'
  /** Prompt-injection score (0..1) or similar, when the check produces one. */
  score?: number
  detail: string
}

/** One failed try before the call was served (or gave up). */
export interface AttemptFailure {
  provider: string
  model: string
  status?: number
  error: string
  /** Epoch ms when this try began (absent for a target skipped without a call, or when not measured). */
  startedAt?: number
  /** How long this try took, in ms; with `startedAt`, what the OpenTelemetry export times attempt spans by. */
  durationMs?: number
}

/** One request log row as the admin API returns it. */
export interface LogItem {
  id: number
  createdAt: string
  requestId: string
  inboundApi: string
  route: string | null
  provider: string | null
  model: string | null
  requestedModel: string | null
  keyName: string | null
  status: number
  error: string | null
  latencyMs: number
  ttftMs: number | null
  inputTokens: number | null
  outputTokens: number | null
  cachedTokens: number | null
  cacheWriteTokens: number | null
  reasoningTokens: number | null
  isEstimated: boolean
  costUsd: number | null
  isStream: boolean
  attempts: number
  isCacheHit: boolean
  /** Served by a target other than the first one planned. */
  isFallback: boolean
  /** The tries that failed before the call was served or gave up. */
  attemptFailures: AttemptFailure[]
  promptName: string | null
  promptVersion: number | null
  promptArm: string | null
  /** Set when the gateway made the call itself (a comparison's cell, a replay), which has no client key. */
  caller: 'comparison' | 'replay' | null
  /** Entities redacted from the request before it left, by type (`{ email: 2 }`); counts only, never values. */
  redactions: Record<string, number>
  /** The guardrail checks that fired, in order. */
  guardrails: GuardrailHit[]
  /** The strongest action among `guardrails`: `block` refused the call, `flag` let it through marked. */
  guardrailAction: GuardrailHit['action'] | null
  /** On a cache hit, what the provider would have charged (`costUsd` is then 0); null otherwise or unpriced. */
  cacheSavedUsd: number | null
}

export interface LogDetail extends LogItem {
  /**
   * Parsed JSON where the stored body is JSON, else its text; null when no body was stored;
   * UNREADABLE_BODY when it is encrypted and the current key does not open it.
   */
  requestBody: unknown
  responseBody: unknown
  isBodyTruncated: boolean
  /** Why a stored body reads as UNREADABLE_BODY; null when both read. */
  bodyError: string | null
}

export interface LogPage {
  items: LogItem[]
  /** Matching rows below the cursor (from the top without one), counted up to TOTAL_CAP. */
  total: number
  /** More than TOTAL_CAP rows match: `total` is a floor ("10,000+"). */
  isTotalCapped: boolean
  nextCursor: string | null
}
