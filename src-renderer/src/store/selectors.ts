import type { StatsBucket, StatsResult, StatsSummary } from '../../../src-shared/admin-api'

/** Named derivations of store data that more than one view or test needs. */

const BUCKET_MS: Record<StatsBucket, number> = { '5m': 300_000, hour: 3_600_000, day: 86_400_000 }
export const OTHER_SERIES = 'other'
const TOP_SERIES = 6

export type SeriesMetric = 'requests' | 'costUsd' | 'errors' | 'tokens'

function metricOf(s: StatsSummary, metric: SeriesMetric): number {
  return metric === 'tokens' ? s.inputTokens + s.outputTokens : s[metric]
}

/** The label of a stats group; rows without a key or model still add up to the total. */
export function groupLabel(group: string | null, groupBy: StatsResult['groupBy']): string {
  if (group !== null) return group
  return groupBy === 'key' ? 'no key' : groupBy === null ? 'all' : 'unknown'
}

/** Every bucket start in [from, to), UTC-aligned as the gateway cuts them, so empty buckets show as zero. */
export function bucketStarts(from: string, to: string, bucket: StatsBucket): number[] {
  const step = BUCKET_MS[bucket]
  const start = Math.floor(Date.parse(from) / step) * step
  const end = Date.parse(to)
  const out: number[] = []
  for (let t = start; t < end; t += step) out.push(t)
  return out
}

export interface StackedSeries {
  /** Values sit apart from `t` so that no group name (`gpt-4.1`, `t`) clashes with it or reads as a path. */
  rows: { t: number; values: Record<string, number> }[]
  /** The stacked series, largest (by the ranking metric) first, with `other` last when groups were folded. */
  keys: string[]
}

/**
 * One row per bucket with a value per group: the top six groups by `rankBy` (this metric unless told),
 * the rest as `other`. Charts shown together rank by one metric so they draw the same groups.
 */
export function stackedSeries(stats: StatsResult, metric: SeriesMetric, rankBy: SeriesMetric = metric): StackedSeries {
  const ranked = stats.groups
    .map((g) => ({ key: groupLabel(g.group, stats.groupBy), value: metricOf(g, rankBy) }))
    .sort((a, b) => b.value - a.value || a.key.localeCompare(b.key))
  const folded = ranked.length > TOP_SERIES
  const top = new Set(ranked.slice(0, folded ? TOP_SERIES - 1 : TOP_SERIES).map((g) => g.key))
  const keys = [...top]
  if (folded) keys.push(OTHER_SERIES)
  const byBucket = new Map<number, Record<string, number>>()
  for (const t of bucketStarts(stats.from, stats.to, stats.bucket)) {
    byBucket.set(t, Object.fromEntries(keys.map((k) => [k, 0])))
  }
  for (const point of stats.series) {
    const row = byBucket.get(Date.parse(point.bucket))
    if (!row) continue
    const label = groupLabel(point.group, stats.groupBy)
    const key = top.has(label) ? label : OTHER_SERIES
    row[key] = (row[key] ?? 0) + metricOf(point, metric)
  }
  return { rows: [...byBucket].map(([t, values]) => ({ t, values })), keys }
}

export interface LatencyRow {
  t: number
  p50: number | null
  p95: number | null
  ttft: number | null
}

/** Latency per bucket; a bucket with no requests is null (a gap), not zero. */
export function latencyRows(overall: StatsResult): LatencyRow[] {
  const byBucket = new Map(overall.series.map((p) => [Date.parse(p.bucket), p]))
  return bucketStarts(overall.from, overall.to, overall.bucket).map((t) => {
    const p = byBucket.get(t)
    return { t, p50: p?.latencyMs.p50 ?? null, p95: p?.latencyMs.p95 ?? null, ttft: p?.ttftMs.p50 ?? null }
  })
}

export function errorRate(s: StatsSummary): number | null {
  return s.requests === 0 ? null : s.errors / s.requests
}

export interface TopModel {
  /** Null for requests that failed before a model was chosen. */
  group: string | null
  model: string
  costUsd: number
  requests: number
  tokens: number
}

export function topModelsByCost(byModel: StatsResult, limit = 8): TopModel[] {
  return byModel.groups
    .map((g) => ({
      group: g.group,
      model: groupLabel(g.group, byModel.groupBy),
      costUsd: g.costUsd,
      requests: g.requests,
      tokens: g.inputTokens + g.outputTokens,
    }))
    .sort((a, b) => b.costUsd - a.costUsd || b.requests - a.requests || a.model.localeCompare(b.model))
    .slice(0, limit)
}

export type ShareMetric = 'requests' | 'tokens' | 'costUsd'

export function localCloudShare(
  byProvider: StatsResult,
  localProviders: string[],
  metric: ShareMetric,
): { local: number; cloud: number } {
  const local = new Set(localProviders)
  const share = { local: 0, cloud: 0 }
  for (const g of byProvider.groups) {
    // Requests that failed before reaching any provider were served neither here nor in the cloud.
    if (g.group === null) continue
    const v = metricOf(g, metric)
    if (local.has(g.group)) share.local += v
    else share.cloud += v
  }
  return share
}

/** The change against the previous period, as a signed fraction; null when there is nothing to compare. */
export function changeRatio(current: number, previous: number): number | null {
  if (previous === 0) return null
  return (current - previous) / previous
}

export interface CacheRow {
  t: number
  /** What cache hits in the bucket would have cost at the provider's price. */
  savedUsd: number
  /** Hits over all requests in the bucket; null (a gap) when there were none. */
  hitRate: number | null
}

/** The cache's saving and hit rate per bucket, zero-filled for saving, gaps for the rate. */
export function cacheRows(overall: StatsResult): CacheRow[] {
  const byBucket = new Map(overall.series.map((p) => [Date.parse(p.bucket), p]))
  return bucketStarts(overall.from, overall.to, overall.bucket).map((t) => {
    const p = byBucket.get(t)
    return { t, savedUsd: p?.cacheSavedUsd ?? 0, hitRate: p && p.requests > 0 ? p.cacheHits / p.requests : null }
  })
}
