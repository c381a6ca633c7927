import type { GuardrailHit } from '../core/log-event.js'
import type { Db } from './db.js'
import { p50p95 } from './percentile.js'
import { usedBytes } from './retention.js'

/** `5m` suits an hour's range, `hour` a day's, `day` a month's. */
export type StatsBucket = '5m' | 'hour' | 'day'
export type StatsGroupBy = 'model' | 'provider' | 'key'

export interface StatsQuery {
  /** ISO-8601 UTC, inclusive. */
  from: string
  /** ISO-8601 UTC, exclusive. */
  to: string
  bucket: StatsBucket
  groupBy?: StatsGroupBy
}

export interface StatsSummary {
  requests: number
  errors: number
  inputTokens: number
  outputTokens: number
  costUsd: number
  latencyMs: { p50: number | null; p95: number | null }
  ttftMs: { p50: number | null; p95: number | null }
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
  db: { sizeBytes: number; usedBytes: number; rows: number }
}

const GROUP_COLUMN: Record<StatsGroupBy, string> = { model: 'model', provider: 'provider', key: 'key_name' }
// Bucket labels are cut from the ISO `created_at` in SQL and padded back to a full timestamp. Hours and days
// are prefixes; 5 minutes keep the hour and round the minutes down to a multiple of 5.
const BUCKET_SQL: Record<StatsBucket, { expr: string; suffix: string }> = {
  '5m': {
    expr: `substr(created_at, 1, 14) || printf('%02d', CAST(substr(created_at, 15, 2) AS INTEGER) / 5 * 5)`,
    suffix: ':00.000Z',
  },
  hour: { expr: 'substr(created_at, 1, 13)', suffix: ':00:00.000Z' },
  day: { expr: 'substr(created_at, 1, 10)', suffix: 'T00:00:00.000Z' },
}

type StatsRow = [
  bucket: string,
  group: string | null,
  status: number,
  input: number | null,
  output: number | null,
  cost: number | null,
  latency: number,
  ttft: number | null,
  isCacheHit: number,
  savedUsd: number | null,
  guardrailAction: string | null,
  isRedacted: number,
]

class Accumulator {
  requests = 0
  errors = 0
  inputTokens = 0
  outputTokens = 0
  costUsd = 0
  latencies: number[] = []
  ttfts: number[] = []
  cacheHits = 0
  cacheSavedUsd = 0
  guardrailBlocked = 0
  guardrailFlagged = 0
  redactedCalls = 0

  add([, , status, input, output, cost, latency, ttft, isCacheHit, saved, action, isRedacted]: StatsRow) {
    this.requests++
    if (status >= 400) this.errors++
    this.inputTokens += input ?? 0
    this.outputTokens += output ?? 0
    this.costUsd += cost ?? 0
    this.latencies.push(latency)
    if (ttft !== null) this.ttfts.push(ttft)
    this.cacheHits += isCacheHit
    this.cacheSavedUsd += saved ?? 0
    if (action === 'block') this.guardrailBlocked++
    else if (action === 'flag') this.guardrailFlagged++
    this.redactedCalls += isRedacted
  }

  summary(): StatsSummary {
    return {
      requests: this.requests,
      errors: this.errors,
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      costUsd: this.costUsd,
      latencyMs: p50p95(this.latencies),
      ttftMs: p50p95(this.ttfts),
      cacheHits: this.cacheHits,
      cacheSavedUsd: this.cacheSavedUsd,
      guardrailBlocked: this.guardrailBlocked,
      guardrailFlagged: this.guardrailFlagged,
      redactedCalls: this.redactedCalls,
    }
  }
}

// Hits and entity counts live in small JSON columns on the few rows that have any; SQLite unpacks them in
// one grouped pass over the same range, so the main scan never parses JSON.
const BY_GUARDRAIL_SQL = `SELECT json_extract(h.value, '$.check') AS "check", json_extract(h.value, '$.stage') AS stage,
    json_extract(h.value, '$.action') AS action, count(*) AS count
  FROM request_logs, json_each(request_logs.guardrails_json) h
  WHERE created_at >= ? AND created_at < ? AND guardrails_json IS NOT NULL
  GROUP BY 1, 2, 3 ORDER BY count DESC, 1, 2, 3`
const BY_REDACTION_SQL = `SELECT e.key AS type, sum(e.value) AS count
  FROM request_logs, json_each(request_logs.redactions_json) e
  WHERE created_at >= ? AND created_at < ? AND redactions_json IS NOT NULL
  GROUP BY 1 ORDER BY count DESC, 1`

/**
 * Totals, per-group totals and a bucketed time series in one pass over the range. Percentiles need every
 * value, so rows are read (only the columns needed, as arrays) rather than aggregated in SQL.
 */
export function computeStats(db: Db, q: StatsQuery): StatsResult {
  const { expr, suffix } = BUCKET_SQL[q.bucket]
  const group = q.groupBy ? GROUP_COLUMN[q.groupBy] : 'NULL'
  const rows = db
    .prepare(
      `SELECT ${expr}, ${group}, status, input_tokens, output_tokens, cost_usd, latency_ms, ttft_ms,
         is_cache_hit, cache_saved_usd, guardrail_action, redactions_json IS NOT NULL
       FROM request_logs WHERE created_at >= ? AND created_at < ?`,
    )
    .raw()
    .iterate(q.from, q.to) as IterableIterator<StatsRow>

  const totals = new Accumulator()
  const groups = new Map<string | null, Accumulator>()
  const series = new Map<string, { bucket: string; group: string | null; acc: Accumulator }>()
  for (const row of rows) {
    const [bucket, g] = row
    totals.add(row)
    let byGroup = groups.get(g)
    if (!byGroup) {
      byGroup = new Accumulator()
      groups.set(g, byGroup)
    }
    byGroup.add(row)
    const key = `${bucket}\u0000${g ?? ''}`
    let point = series.get(key)
    if (!point) {
      point = { bucket: bucket + suffix, group: g, acc: new Accumulator() }
      series.set(key, point)
    }
    point.acc.add(row)
  }

  const pageSize = db.pragma('page_size', { simple: true }) as number
  const pages = db.pragma('page_count', { simple: true }) as number
  const { n } = db.prepare('SELECT count(*) AS n FROM request_logs').get() as { n: number }
  return {
    from: q.from,
    to: q.to,
    bucket: q.bucket,
    groupBy: q.groupBy ?? null,
    totals: totals.summary(),
    groups: [...groups].map(([g, acc]) => ({ group: g, ...acc.summary() })).sort((a, b) => b.requests - a.requests),
    series: [...series.values()]
      .sort((a, b) =>
        a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : (a.group ?? '').localeCompare(b.group ?? ''),
      )
      .map(({ bucket, group: g, acc }) => ({ bucket, group: g, ...acc.summary() })),
    byGuardrail: db.prepare(BY_GUARDRAIL_SQL).all(q.from, q.to) as GuardrailCount[],
    byRedaction: db.prepare(BY_REDACTION_SQL).all(q.from, q.to) as RedactionCount[],
    db: { sizeBytes: pages * pageSize, usedBytes: usedBytes(db), rows: n },
  }
}
