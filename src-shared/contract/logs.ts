import { type Static, Type } from 'typebox'
import { OrNull, PageQueryFields } from './common.js'

/*
 * The request log (GET /admin/v1/logs, /logs/:id, /logs/export): the requests' and answers' schemas. The answers
 * are not re-serialized against them (a page is JSON text from the report worker, sent as it is): a test checks
 * them instead.
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
  session: Type.Optional(
    Type.String({ minLength: 1, maxLength: 128, description: 'only the calls of this coding session' }),
  ),
  workspace: Type.Optional(
    Type.String({ minLength: 1, maxLength: 64, description: "only the calls of this workspace's keys" }),
  ),
  person: Type.Optional(
    Type.String({ minLength: 1, maxLength: 128, description: 'only the calls made for this person' }),
  ),
  kind: Type.Optional(
    Type.Union([Type.Literal('model'), Type.Literal('mcp')], {
      description:
        'model: only calls to models; mcp: only tool calls through the MCP hub (inboundApi "mcp": provider is the server, model the tool, requestedModel the namespaced server__tool name, the bodies its arguments and result). Both without it.',
    }),
  ),
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
export const GuardrailHitSchema = Type.Object({
  stage: Type.Union([Type.Literal('input'), Type.Literal('output')]),
  /** The check's kind: max_tokens, blocked_patterns, prompt_injection or json_schema. */
  type: Type.String(),
  /** The check's configured name (its type unless named). */
  check: Type.String(),
  action: Type.Union([Type.Literal('block'), Type.Literal('flag'), Type.Literal('log')]),
  /** Prompt-injection score (0..1) or similar, when the check produces one. */
  score: Type.Optional(Type.Number()),
  detail: Type.String(),
})
export type GuardrailHit = Static<typeof GuardrailHitSchema>

/** One failed try before the call was served (or gave up). */
export const AttemptFailureSchema = Type.Object({
  provider: Type.String(),
  model: Type.String(),
  status: Type.Optional(Type.Integer()),
  error: Type.String(),
  /** Epoch ms when this try began (absent for a target skipped without a call, or when not measured). */
  startedAt: Type.Optional(Type.Number()),
  /** How long this try took, in ms; with `startedAt`, what the OpenTelemetry export times attempt spans by. */
  durationMs: Type.Optional(Type.Number()),
})
export type AttemptFailure = Static<typeof AttemptFailureSchema>

/** One request log row as the admin API returns it. */
export const LogItemSchema = Type.Object({
  id: Type.Integer(),
  createdAt: Type.String(),
  requestId: Type.String(),
  /** The API the call came in on; `mcp` for a tool call through the MCP hub (provider = server, model = tool). */
  inboundApi: Type.String(),
  route: OrNull(Type.String()),
  provider: OrNull(Type.String()),
  model: OrNull(Type.String()),
  requestedModel: OrNull(Type.String()),
  keyName: OrNull(Type.String()),
  status: Type.Integer(),
  error: OrNull(Type.String()),
  latencyMs: Type.Number(),
  ttftMs: OrNull(Type.Number()),
  inputTokens: OrNull(Type.Integer()),
  outputTokens: OrNull(Type.Integer()),
  cachedTokens: OrNull(Type.Integer()),
  cacheWriteTokens: OrNull(Type.Integer()),
  reasoningTokens: OrNull(Type.Integer()),
  isEstimated: Type.Boolean(),
  costUsd: OrNull(Type.Number()),
  isStream: Type.Boolean(),
  attempts: Type.Integer(),
  isCacheHit: Type.Boolean(),
  /** Served by a target other than the first one planned. */
  isFallback: Type.Boolean(),
  /** The tries that failed before the call was served or gave up. */
  attemptFailures: Type.Array(AttemptFailureSchema),
  promptName: OrNull(Type.String()),
  promptVersion: OrNull(Type.Integer()),
  promptArm: OrNull(Type.String()),
  /** Set when the gateway made the call itself (a comparison's cell, a replay), which has no client key. */
  caller: OrNull(Type.Union([Type.Literal('comparison'), Type.Literal('replay')])),
  /** The coding session the call belongs to (Claude Code, Codex, or an `x-switchyard-session` header). */
  sessionId: OrNull(Type.String()),
  /** The project the call belongs to (`x-switchyard-project`). */
  project: OrNull(Type.String()),
  /** Tool calls the gateway repaired (broken argument JSON) or lifted out of the model's text. */
  toolCallRepairs: Type.Integer(),
  /** The tool that made the call, from its user-agent: `claude-code`, `codex`, or another short name. */
  clientTool: OrNull(Type.String()),
  /** The workspace of the call's key, or the one a UI call was made in (null for other calls without a key). */
  workspace: OrNull(Type.String()),
  /** Who the call was made for: `x-switchyard-user`, the body's user, Claude Code's account, or the signed-in member. */
  person: OrNull(Type.String()),
  /** Entities redacted from the request before it left, by type (`{ email: 2 }`); counts only, never values. */
  redactions: Type.Record(Type.String(), Type.Integer()),
  /** The guardrail checks that fired, in order. */
  guardrails: Type.Array(GuardrailHitSchema),
  /** The strongest action among `guardrails`: `block` refused the call, `flag` let it through marked. */
  guardrailAction: OrNull(GuardrailHitSchema.properties.action),
  /** On a cache hit, what the provider would have charged (`costUsd` is then 0); null otherwise or unpriced. */
  cacheSavedUsd: OrNull(Type.Number()),
})
export type LogItem = Static<typeof LogItemSchema>

/** GET /admin/v1/logs/:id: the row with its bodies. */
export const LogDetailSchema = Type.Object({
  ...LogItemSchema.properties,
  /**
   * Parsed JSON where the stored body is JSON, else its text; null when no body was stored;
   * UNREADABLE_BODY when it is encrypted and the current key does not open it.
   */
  requestBody: Type.Unknown(),
  responseBody: Type.Unknown(),
  isBodyTruncated: Type.Boolean(),
  /** Why a stored body reads as UNREADABLE_BODY; null when both read. */
  bodyError: OrNull(Type.String()),
  /**
   * Present (true) when the caller's role may not see bodies (team mode's viewer: no `logs:bodies`): both bodies
   * are then null whatever was stored, and `bodyError` too.
   */
  bodiesHidden: Type.Optional(Type.Literal(true)),
})
export type LogDetail = Static<typeof LogDetailSchema>

/** GET /admin/v1/logs: a page of rows. */
export const LogPageSchema = Type.Object({
  items: Type.Array(LogItemSchema),
  /** Matching rows below the cursor (from the top without one), counted up to TOTAL_CAP. */
  total: Type.Integer(),
  /** More than TOTAL_CAP rows match: `total` is a floor ("10,000+"). */
  isTotalCapped: Type.Boolean(),
  nextCursor: OrNull(Type.String()),
})
export type LogPage = Static<typeof LogPageSchema>
