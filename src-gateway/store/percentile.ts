/** Nearest-rank percentile (`p` in 0..1) of values already sorted ascending; null when there are none. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null
  const rank = Math.max(1, Math.ceil(p * sorted.length))
  return sorted[Math.min(rank, sorted.length) - 1]
}

/** p50 and p95 of unsorted values. Sorting a Float64Array is numeric and several times faster than an Array's. */
export function p50p95(values: number[]): { p50: number | null; p95: number | null } {
  const sorted = Float64Array.from(values).sort()
  return { p50: percentileOfSorted(sorted, 0.5), p95: percentileOfSorted(sorted, 0.95) }
}
