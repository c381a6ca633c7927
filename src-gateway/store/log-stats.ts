import type { Db } from './db.js'
import { p50p95 } from './percentile.js'
import { usedBytes } from './retention.js'

export type StatsBucket = 'hour' | 'day'
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
  db: { sizeBytes: number; usedBytes: number; rows: number }
}

const GROUP_COLUMN: Record<StatsGroupBy, string> = { model: 'model', provider: 'provider', key: 'key_name' }
// Bucket labels are prefixes of the ISO `created_at`, padded back to a full timestamp.
const BUCKET_PREFIX: Record<StatsBucket, { chars: number; suffix: string }> = {
  hour: { chars: 13, suffix: ':00:00.000Z' },
  day: { chars: 10, suffix: 'T00:00:00.000Z' },
}

class Accumulator {
  requests = 0
  errors = 0
  inputTokens = 0
  outputTokens = 0
  costUsd = 0
  latencies: number[] = []
  ttfts: number[] = []

  add(
    status: number,
    input: number | null,
    output: number | null,
    cost: number | null,
    latency: number,
    ttft: number | null,
  ) {
    this.requests++
    if (status >= 400) this.errors++
    this.inputTokens += input ?? 0
    this.outputTokens += output ?? 0
    this.costUsd += cost ?? 0
    this.latencies.push(latency)
    if (ttft !== null) this.ttfts.push(ttft)
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
    }
  }
}

type StatsRow = [string, string | null, number, number | null, number | null, number | null, number, number | null]

/**
 * Totals, per-group totals and a bucketed time series in one pass over the range. Percentiles need every
 * value, so rows are read (only the columns needed, as arrays) rather than aggregated in SQL.
 */
export function computeStats(db: Db, q: StatsQuery): StatsResult {
  const { chars, suffix } = BUCKET_PREFIX[q.bucket]
  const group = q.groupBy ? GROUP_COLUMN[q.groupBy] : 'NULL'
  const rows = db
    .prepare(
      `SELECT substr(created_at, 1, ${chars}), ${group}, status, input_tokens, output_tokens, cost_usd, latency_ms, ttft_ms
       FROM request_logs WHERE created_at >= ? AND created_at < ?`,
    )
    .raw()
    .iterate(q.from, q.to) as IterableIterator<StatsRow>

  const totals = new Accumulator()
  const groups = new Map<string | null, Accumulator>()
  const series = new Map<string, { bucket: string; group: string | null; acc: Accumulator }>()
  for (const [bucket, g, status, input, output, cost, latency, ttft] of rows) {
    totals.add(status, input, output, cost, latency, ttft)
    let byGroup = groups.get(g)
    if (!byGroup) {
      byGroup = new Accumulator()
      groups.set(g, byGroup)
    }
    byGroup.add(status, input, output, cost, latency, ttft)
    const key = `${bucket}\u0000${g ?? ''}`
    let point = series.get(key)
    if (!point) {
      point = { bucket: bucket + suffix, group: g, acc: new Accumulator() }
      series.set(key, point)
    }
    point.acc.add(status, input, output, cost, latency, ttft)
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
    db: { sizeBytes: pages * pageSize, usedBytes: usedBytes(db), rows: n },
  }
}
