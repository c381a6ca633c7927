import { type Static, Type } from 'typebox'
import { OrNull } from './common.js'
import { GuardrailHitSchema } from './logs.js'

/*
 * Dashboard reports (GET /admin/v1/stats, /stats/overview): the requests' and answers' schemas. The answers are
 * not re-serialized against them (a report is JSON text from the report worker, sent as it is): a test checks
 * them instead.
 */

/** `5m` suits an hour's range, `hour` a day's, `day` a month's. */
export const StatsBucketSchema = Type.Union([Type.Literal('5m'), Type.Literal('hour'), Type.Literal('day')])
export type StatsBucket = Static<typeof StatsBucketSchema>
export const StatsGroupBySchema = Type.Union([Type.Literal('model'), Type.Literal('provider'), Type.Literal('key')])
export type StatsGroupBy = Static<typeof StatsGroupBySchema>

const RangeFields = {
  /** ISO-8601; without it, the range ends now. */
  to: Type.Optional(Type.String({ minLength: 1, description: 'ISO-8601 time, exclusive (default: now)' })),
  /** ISO-8601; without it, the range the bucket reads well at: an hour of 5m, a day of hours, a month of days. */
  from: Type.Optional(Type.String({ minLength: 1, description: 'ISO-8601 time, inclusive' })),
  bucket: Type.Union(StatsBucketSchema.anyOf, { default: 'hour' }),
}

/** GET /admin/v1/stats: one report, grouped or not. */
export const StatsRequestQuerySchema = Type.Object({ ...RangeFields, groupBy: Type.Optional(StatsGroupBySchema) })
export type StatsRequestQuery = Static<typeof StatsRequestQuerySchema>

/** GET /admin/v1/stats/overview: everything one Overview refresh draws; `groupBy` is the stacked charts'. */
export const OverviewRequestQuerySchema = Type.Object({
  ...RangeFields,
  groupBy: Type.Union(StatsGroupBySchema.anyOf, { default: 'model' }),
})
export type OverviewRequestQuery = Static<typeof OverviewRequestQuerySchema>

/** A report's range as the worker computes it: the route has filled in `from` and `to`. */
export interface StatsQuery {
  /** ISO-8601 UTC, inclusive. */
  from: string
  /** ISO-8601 UTC, exclusive. */
  to: string
  bucket: StatsBucket
  groupBy?: StatsGroupBy
}

export interface OverviewQuery {
  from: string
  to: string
  bucket: StatsBucket
  /** The stacked charts' dimension; model and provider are always included. */
  groupBy: StatsGroupBy
}

export const PercentilesSchema = Type.Object({
  p50: OrNull(Type.Number()),
  p95: OrNull(Type.Number()),
  p99: OrNull(Type.Number()),
})
export type Percentiles = Static<typeof PercentilesSchema>

export const StatsSummarySchema = Type.Object({
  requests: Type.Integer(),
  errors: Type.Integer(),
  inputTokens: Type.Integer(),
  outputTokens: Type.Integer(),
  costUsd: Type.Number(),
  /** From the rollups' sketches: within 1% of the exact nearest-rank value. */
  latencyMs: PercentilesSchema,
  ttftMs: PercentilesSchema,
  /** Calls answered from the gateway's cache. */
  cacheHits: Type.Integer(),
  /** What those calls would have cost at the provider's price. */
  cacheSavedUsd: Type.Number(),
  /** Calls a guardrail refused (their strongest action was `block`). */
  guardrailBlocked: Type.Integer(),
  /** Calls a guardrail let through marked (strongest action `flag`). */
  guardrailFlagged: Type.Integer(),
  /** Calls where redaction found something to replace before the request left. */
  redactedCalls: Type.Integer(),
})
export type StatsSummary = Static<typeof StatsSummarySchema>

/** How often one guardrail check fired in the range, per stage and action. */
export const GuardrailCountSchema = Type.Object({
  check: GuardrailHitSchema.properties.check,
  stage: GuardrailHitSchema.properties.stage,
  action: GuardrailHitSchema.properties.action,
  count: Type.Integer(),
})
export type GuardrailCount = Static<typeof GuardrailCountSchema>

/** How many entities of one type were redacted in the range (counts only: values are never stored). */
export const RedactionCountSchema = Type.Object({ type: Type.String(), count: Type.Integer() })
export type RedactionCount = Static<typeof RedactionCountSchema>

/** GET /admin/v1/stats: one report. */
export const StatsResultSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  bucket: StatsBucketSchema,
  groupBy: OrNull(StatsGroupBySchema),
  totals: StatsSummarySchema,
  /** One entry per group (all rows in one `null` group when not grouping), largest first. */
  groups: Type.Array(Type.Object({ group: OrNull(Type.String()), ...StatsSummarySchema.properties })),
  /** One entry per bucket and group, in time order; buckets without rows are absent. */
  series: Type.Array(
    Type.Object({ bucket: Type.String(), group: OrNull(Type.String()), ...StatsSummarySchema.properties }),
  ),
  /** Each guardrail check that fired in the range, most frequent first. */
  byGuardrail: Type.Array(GuardrailCountSchema),
  /** Redacted entities in the range by type, most frequent first. */
  byRedaction: Type.Array(RedactionCountSchema),
  /**
   * `rows` is an upper bound (the span of row ids), which costs nothing to read at any size. For a member (team
   * mode) it is the count of their workspaces' rows, and the sizes, which are the whole database's, are absent.
   */
  db: Type.Object({
    sizeBytes: Type.Optional(Type.Integer()),
    usedBytes: Type.Optional(Type.Integer()),
    rows: Type.Integer(),
  }),
})
export type StatsResult = Static<typeof StatsResultSchema>

/** Tool calls through the MCP hub in a range: counted apart from model calls, which they never add to. */
export const McpActivitySchema = Type.Object({
  calls: Type.Integer(),
  /** Calls refused, failed upstream, timed out or cancelled (status 400 and up), and results marked isError. */
  errors: Type.Integer(),
  /** The servers with the most calls, most first (at most 5). */
  servers: Type.Array(Type.Object({ server: Type.String(), calls: Type.Integer(), errors: Type.Integer() })),
  /** The tools with the most calls, most first (at most 5). */
  tools: Type.Array(
    Type.Object({ server: Type.String(), tool: Type.String(), calls: Type.Integer(), errors: Type.Integer() }),
  ),
})
export type McpActivity = Static<typeof McpActivitySchema>

/** What spend is grouped by: the calling key's workspace, or the person the call was made for. */
export const SpendBySchema = Type.Union([Type.Literal('workspace'), Type.Literal('person')])
export type SpendBy = Static<typeof SpendBySchema>

/** GET /admin/v1/stats/spend: cost, calls and tokens per workspace or per person over a range. */
export const SpendRequestQuerySchema = Type.Object({
  to: RangeFields.to,
  from: RangeFields.from,
  by: SpendBySchema,
})
export type SpendRequestQuery = Static<typeof SpendRequestQuerySchema>

/** One workspace's or person's spend; `group` null: calls without one (no key, nobody named). */
export const SpendGroupSchema = Type.Object({
  group: OrNull(Type.String()),
  requests: Type.Integer(),
  inputTokens: Type.Integer(),
  outputTokens: Type.Integer(),
  costUsd: Type.Number(),
})
export type SpendGroup = Static<typeof SpendGroupSchema>

/** GET /admin/v1/stats/spend's answer: the groups, dearest first. */
export const SpendResultSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  by: SpendBySchema,
  groups: Type.Array(SpendGroupSchema),
})
export type SpendResult = Static<typeof SpendResultSchema>

/** A spend report's range as the worker computes it. */
export interface SpendQuery {
  from: string
  to: string
  by: SpendBy
}

/** GET /admin/v1/stats/overview: everything one Overview refresh draws. */
export const OverviewResultSchema = Type.Object({
  /** Not grouped: the KPIs, the latency chart, and the guardrail and redaction counts. */
  overall: StatsResultSchema,
  /** By model and by provider, and by `groupBy` when it is neither. */
  groups: Type.Object({
    model: Type.Optional(StatsResultSchema),
    provider: Type.Optional(StatsResultSchema),
    key: Type.Optional(StatsResultSchema),
  }),
  /** Totals of the same-length period just before `from` (daily cells), for the change on each tile. */
  previous: StatsSummarySchema,
  /** Tool calls through the MCP hub in the range (not in any of the model figures above). */
  mcp: McpActivitySchema,
  /** Spend per workspace and per person in the range, dearest first (issue 21). */
  spend: Type.Object({ workspace: Type.Array(SpendGroupSchema), person: Type.Array(SpendGroupSchema) }),
})
export type OverviewResult = Static<typeof OverviewResultSchema>
