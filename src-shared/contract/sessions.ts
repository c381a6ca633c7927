import { type Static, Type } from 'typebox'
import { OrNull, PageQueryFields } from './common.js'
import { LogItemSchema } from './logs.js'

/*
 * Coding sessions (GET /admin/v1/sessions, /sessions/:id): the calls one agent session made, grouped by the
 * session its tool names (Claude Code, Codex) or `x-switchyard-session`, with what they cost. Answers are
 * JSON text from the report worker or plain objects; a test checks them against these schemas.
 */

const Name = Type.Optional(Type.String({ minLength: 1, maxLength: 200 }))

/** GET /admin/v1/sessions: sessions with a call in the range, the most recently active first. */
export const SessionsQuerySchema = Type.Object({
  from: Type.Optional(
    Type.String({ minLength: 1, description: 'ISO-8601 time, inclusive; default: 7 days before `to`' }),
  ),
  to: Type.Optional(Type.String({ minLength: 1, description: 'ISO-8601 time, exclusive; default: now' })),
  /** Only sessions with a call in this project (`x-switchyard-project`). */
  project: Name,
  /** Only sessions with a call made with this client key. */
  key: Name,
  /** Only sessions with a call from this tool (`claude-code`, `codex`, or a user-agent's product name). */
  tool: Name,
  ...PageQueryFields,
})
export type SessionsQuery = Static<typeof SessionsQuerySchema>

/** One session and its totals over all of its calls (not only those in the range a list asked for). */
export const SessionSummarySchema = Type.Object({
  id: Type.String(),
  /** The tool that made its calls: `claude-code`, `codex`, or another user-agent's product name. */
  tool: OrNull(Type.String()),
  project: OrNull(Type.String()),
  keyName: OrNull(Type.String()),
  /** The models that answered (or were asked for, where none did), in the order first used. */
  models: Type.Array(Type.String()),
  /** Calls in the session: an agent's turns, its tool-result round trips and its side calls (titles, summaries). */
  calls: Type.Integer(),
  inputTokens: Type.Integer(),
  outputTokens: Type.Integer(),
  /** Prompt tokens read from the provider's prompt cache (part of `inputTokens`). */
  cachedTokens: Type.Integer(),
  /** Calls answered from the gateway's own cache. */
  cacheHits: Type.Integer(),
  /** What the priced calls cost; null when none was priced. */
  costUsd: OrNull(Type.Number()),
  errors: Type.Integer(),
  firstAt: Type.String(),
  lastAt: Type.String(),
  /** From the first call's start to the end of the last one. */
  durationMs: Type.Number(),
})
export type SessionSummary = Static<typeof SessionSummarySchema>

/** GET /admin/v1/sessions: a page of sessions. */
export const SessionPageSchema = Type.Object({
  items: Type.Array(SessionSummarySchema),
  /** Sessions matching below the cursor (from the top without one), counted up to a cap. */
  total: Type.Integer(),
  /** More sessions match than were counted: `total` is a floor. */
  isTotalCapped: Type.Boolean(),
  nextCursor: OrNull(Type.String()),
})
export type SessionPage = Static<typeof SessionPageSchema>

/** `:id` of GET /admin/v1/sessions/:id (the gateway keeps ids up to 128 characters). */
export const SessionParamsSchema = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) })
export type SessionParams = Static<typeof SessionParamsSchema>

/** GET /admin/v1/sessions/:id: its calls in the order they were made, a page per cursor. */
export const SessionCallsQuerySchema = Type.Object({ ...PageQueryFields })
export type SessionCallsQuery = Static<typeof SessionCallsQuerySchema>

/** GET /admin/v1/sessions/:id: the session's totals and a page of its calls, oldest first. */
export const SessionDetailSchema = Type.Object({
  session: SessionSummarySchema,
  calls: Type.Array(LogItemSchema),
  nextCursor: OrNull(Type.String()),
})
export type SessionDetail = Static<typeof SessionDetailSchema>

/** GET /admin/v1/projects: the projects with a call in the range, the most recently active first. */
export const ProjectsQuerySchema = Type.Object({
  from: SessionsQuerySchema.properties.from,
  to: SessionsQuerySchema.properties.to,
  key: Name,
  tool: Name,
})
export type ProjectsQuery = Static<typeof ProjectsQuerySchema>

/** One project's totals over its calls in the range (in a session or not). */
export const ProjectSummarySchema = Type.Object({
  project: Type.String(),
  /** The sessions its calls in the range belong to. */
  sessions: Type.Integer(),
  calls: Type.Integer(),
  inputTokens: Type.Integer(),
  outputTokens: Type.Integer(),
  cachedTokens: Type.Integer(),
  costUsd: OrNull(Type.Number()),
  errors: Type.Integer(),
  lastAt: Type.String(),
})
export type ProjectSummary = Static<typeof ProjectSummarySchema>

/** GET /admin/v1/projects: the 200 most recently active projects (a range has few). */
export const ProjectListSchema = Type.Object({
  items: Type.Array(ProjectSummarySchema),
  /** More projects had calls in the range than are listed. */
  isCapped: Type.Boolean(),
})
export type ProjectList = Static<typeof ProjectListSchema>
