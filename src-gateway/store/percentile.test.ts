import { describe, expect, it } from 'vitest'
import { p50p95, percentileOfSorted } from './percentile.js'

describe('percentiles', () => {
  it('uses the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1)
    expect(percentileOfSorted(values, 0.5)).toBe(50)
    expect(percentileOfSorted(values, 0.95)).toBe(95)
    expect(percentileOfSorted([7], 0.95)).toBe(7)
    expect(percentileOfSorted([], 0.5)).toBeNull()
  })

  it('sorts numerically, not as strings', () => {
    expect(p50p95([100, 9, 20, 3, 1000])).toEqual({ p50: 20, p95: 1000 })
  })
})
