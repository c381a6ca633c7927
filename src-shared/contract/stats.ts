import { type Static, Type } from 'typebox'
import type { GuardrailHit } from './logs.js'

/*
 * Dashboard reports (GET /admin/v1/stats, /stats/overview): the requests' schemas, and the answers as types only
 * (these hot endpoints are not re-serialized against a schema).
 */

/** `5m` suits an hour's range, `hour` a day's, `day` a month's. */
const StatsBucketSchema = Type.Union([Type.Literal('5m'), Type.Literal('hour'), Type.Literal('day')])
export type StatsBucket = Static<typeof StatsBucketSchema>
const StatsGroupBySchema = Type.Union([Type.Literal('model'), Type.Literal('provider'), Type.Literal('key')])
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

export interface StatsQuery {
  /** ISO-8601 UTC, inclusive. */
  from: string
  /** ISO-8601 UTC, exclusive. */
  to: string
  bucket: StatsBucket
  groupBy?: StatsGroupBy
}

export interface Percentiles {
  p50: number | null
  p95: number | null
  p99: number | null
}

export interface StatsSummary {
  requests: number
  errors: number
  inputTokens: number
  outputTokens: number
  costUsd: number
  /** From the rollups' sketches: within 1% of the exact nearest-rank value. */
  latencyMs: Percentiles
  ttftMs: Percentiles
  /** Calls answered from the gateway's cache. */
  cacheHits: number
  /** What those calls would have cost at the provider's price. */
  cacheSavedUsd: number
  /** Calls a guardrail refused (their strongest action was `block`). */
  guardrailBlocked: number
  /** Calls a guardrail let through marked (strongest action `flag`). */
  guardrailFlagged: number
  /** Calls where redaction found something to replace before the request left. */
  redactedCalls: number
}

/** How often one guardrail check fired in the range, per stage and action. */
export interface GuardrailCount extends Pick<GuardrailHit, 'check' | 'stage' | 'action'> {
  count: number
}

/** How many entities of one type were redacted in the range (counts only: values are never stored). */
export interface RedactionCount {
  type: string
  count: number
}

export interface StatsResult {
  from: string
  to: string
  bucket: StatsBucket
  groupBy: StatsGroupBy | null
  totals: StatsSummary
  /** One entry per group (all rows in one `null` group when not grouping), largest first. */
  groups: ({ group: string | null } & StatsSummary)[]
  /** One entry per bucket and group, in time order; buckets without rows are absent. */
  series: ({ bucket: string; group: string | null } & StatsSummary)[]
  /** Each guardrail check that fired in the range, most frequent first. */
  byGuardrail: GuardrailCount[]
  /** Redacted entities in the range by type, most frequent first. */
  byRedaction: RedactionCount[]
  /** `rows` is an upper bound (the span of row ids), which costs nothing to read at any size. */
  db: { sizeBytes: number; usedBytes: number; rows: number }
}

export interface OverviewQuery {
  from: string
  to: string
  bucket: StatsBucket
  /** The stacked charts' dimension; model and provider are always included. */
  groupBy: StatsGroupBy
}

/** Everything one Overview refresh draws. */
export interface OverviewResult {
  /** Not grouped: the KPIs, the latency chart, and the guardrail and redaction counts. */
  overall: StatsResult
  /** By model and by provider, and by `groupBy` when it is neither. */
  groups: Partial<Record<StatsGroupBy, StatsResult>>
  /** Totals of the same-length period just before `from` (daily cells), for the change on each tile. */
  previous: StatsSummary
}
