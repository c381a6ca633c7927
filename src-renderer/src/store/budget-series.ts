import type { BudgetPeriod, KeyItem, OnExceed, StatsBucket, StatsResult } from '../../../src-shared/admin-api'

const HOUR = 3_600_000
const DAY = 24 * HOUR
/** A budget that never resets is drawn over its last month of days. */
const TOTAL_DAYS = 30

export interface BudgetRange {
  from: string
  to: string
  bucket: StatsBucket
}

/**
 * The span a key's budget chart covers: its whole current period (a day in hours, a week or month in
 * days, so the days still to come show as room left), or the last 30 days of a `total` budget.
 */
export function budgetRange(budget: NonNullable<KeyItem['budget']>, now: number): BudgetRange {
  if (budget.period !== 'total' && budget.periodStart && budget.periodEnd) {
    return { from: budget.periodStart, to: budget.periodEnd, bucket: budget.period === 'day' ? 'hour' : 'day' }
  }
  const tomorrow = Math.floor(now / DAY) * DAY + DAY
  return {
    from: new Date(tomorrow - TOTAL_DAYS * DAY).toISOString(),
    to: new Date(tomorrow).toISOString(),
    bucket: 'day',
  }
}

export const rangeId = (r: BudgetRange) => `${r.bucket}|${r.from}|${r.to}`

/** One bar: what was spent before this bucket in the period and in it; null once the bucket is in the future. */
export interface BudgetRow {
  t: number
  earlier: number | null
  spent: number | null
}

export interface BudgetChart {
  key: string
  usd: number
  period: BudgetPeriod
  onExceed: OnExceed
  spentUsd: number
  percentUsed: number
  alertLevel: 0 | 50 | 80 | 100
  bucket: StatsBucket
  from: string
  to: string
  rows: BudgetRow[]
}

/**
 * A burn-up chart of one key's budget: each bar stacks the period's spend so far under the spend of its
 * own bucket, so the bars climb towards the budget line. A `total` budget's spend before the chart's
 * 30 days sits under the first bar, so the last bar still ends at what the key has spent.
 */
export function budgetChart(key: KeyItem, stats: StatsResult | undefined, now: number): BudgetChart | null {
  const budget = key.budget
  if (!budget) return null
  const range = budgetRange(budget, now)
  const step = range.bucket === 'hour' ? HOUR : DAY
  const byBucket = new Map<number, number>()
  for (const p of stats?.series ?? []) {
    if (p.group !== key.name) continue
    const t = Date.parse(p.bucket)
    byBucket.set(t, (byBucket.get(t) ?? 0) + p.costUsd)
  }
  const spentUsd = budget.spentUsd ?? 0
  const inRange = [...byBucket.values()].reduce((a, b) => a + b, 0)
  let running = budget.period === 'total' ? Math.max(0, spentUsd - inRange) : 0
  const rows: BudgetRow[] = []
  for (let t = Date.parse(range.from); t < Date.parse(range.to); t += step) {
    if (t > now) {
      rows.push({ t, earlier: null, spent: null })
      continue
    }
    const spent = byBucket.get(t) ?? 0
    rows.push({ t, earlier: running, spent })
    running += spent
  }
  return {
    key: key.name,
    usd: budget.usd,
    period: budget.period,
    onExceed: budget.onExceed,
    spentUsd,
    percentUsed: budget.percentUsed ?? 0,
    alertLevel: budget.alertLevel ?? 0,
    ...range,
    rows,
  }
}

/** Y-axis ticks from 0 past `max` in a round step (1, 2, 2.5 or 5 × a power of ten), about four steps. */
export function budgetTicks(max: number): number[] {
  if (!(max > 0)) return [0, 1]
  const raw = max / 4
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude
  // toPrecision drops the float noise of repeated steps (0.30000000000000004).
  return Array.from({ length: Math.ceil(max / step) + 1 }, (_, i) => Number((i * step).toPrecision(12)))
}
