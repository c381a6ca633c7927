import { describe, expect, it } from 'vitest'
import { addEncoded, addValue, encodeSketch, mergeEncoded, percentiles, type Sketch } from './latency-sketch.js'

/** The exact nearest-rank percentile (`p` in 0..1) of values sorted ascending: what the sketch approximates. */
function percentileOfSorted(sorted: Float64Array, p: number): number | null {
  if (sorted.length === 0) return null
  return sorted[Math.min(Math.max(1, Math.ceil(p * sorted.length)), sorted.length) - 1]
}

/** Heavy-tailed like call latencies: sub-millisecond cache hits up to minute-long generations. */
function latencies(n: number, seed: number): number[] {
  let a = seed
  const rand = () => {
    a = (a * 1103515245 + 12345) % 2147483648
    return a / 2147483648
  }
  return Array.from({ length: n }, () => (rand() < 0.05 ? rand() : 50 + (rand() * rand()) ** 2 * 120_000))
}

const PS = [0.01, 0.5, 0.9, 0.95, 0.99, 0.999, 1]

describe('latency sketch', () => {
  it('reads every percentile back within 1% of the exact nearest-rank value', () => {
    for (const n of [1, 7, 100, 50_000]) {
      const values = latencies(n, n)
      const s: Sketch = new Map()
      for (const v of values) addValue(s, v)
      const sorted = Float64Array.from(values).sort()
      const got = percentiles([s], PS)
      for (const [i, p] of PS.entries()) {
        const exact = percentileOfSorted(sorted, p)!
        expect(Math.abs(got[i]! / exact - 1), `n=${n} p=${p}: ${got[i]} vs ${exact}`).toBeLessThanOrEqual(0.01)
      }
    }
    expect(percentiles([new Map()], [0.5, 0.99])).toEqual([null, null])
    expect(percentiles([], [0.5])).toEqual([null])
  })

  it('merges exactly: sketches of the parts sum to the sketch of the whole, encoded or not', () => {
    const values = latencies(10_000, 3)
    const whole: Sketch = new Map()
    const parts: Sketch[] = [new Map(), new Map(), new Map()]
    for (const [i, v] of values.entries()) {
      addValue(whole, v)
      addValue(parts[i % 3], v)
    }
    const [a, b, c] = parts.map(encodeSketch)
    expect(mergeEncoded(mergeEncoded(a, b), c)).toEqual(encodeSketch(whole))
    expect(mergeEncoded(null, c)).toEqual(c)
    expect(mergeEncoded(null, null)).toBeNull()

    const decoded: Sketch = new Map()
    for (const part of [a, b, c]) addEncoded(decoded, part)
    expect(decoded).toEqual(whole)
    // Percentiles of several sketches are those of their sum.
    expect(percentiles(parts, PS)).toEqual(percentiles([whole], PS))
  })

  it('keeps zero, sub-0.01 ms and absurdly long values in its end bins', () => {
    const s: Sketch = new Map()
    for (const v of [0, 0.001, 1e12]) addValue(s, v)
    const [min, , max] = percentiles([s], [0.01, 0.5, 1])
    expect(min).toBe(0)
    expect(max).toBeGreaterThan(1e8)
  })
})
