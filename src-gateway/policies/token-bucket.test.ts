import { describe, expect, it } from 'vitest'
import { TokenBucket } from './token-bucket.js'

describe('TokenBucket', () => {
  it('starts full, refuses when empty and refills continuously', () => {
    const b = new TokenBucket(60, 60_000, 0)
    expect(b.waitMs(60, 0)).toBe(0)
    b.take(60, 0)
    expect(b.remaining(0)).toBe(0)
    expect(b.waitMs(1, 0)).toBe(1000)
    expect(b.waitMs(1, 999)).toBe(1)
    expect(b.waitMs(1, 1000)).toBe(0)
    expect(b.resetMs(1000)).toBe(59_000)
    expect(b.remaining(120_000)).toBe(60)
  })

  it('never fills past its capacity', () => {
    const b = new TokenBucket(10, 1000, 0)
    expect(b.remaining(1_000_000)).toBe(10)
    b.adjust(-100, 1_000_000)
    expect(b.remaining(1_000_000)).toBe(10)
  })

  it('carries a debt when the real cost exceeds the estimate', () => {
    const b = new TokenBucket(100, 60_000, 0)
    b.take(10, 0)
    b.adjust(150, 0)
    expect(b.remaining(0)).toBe(0)
    // 60 tokens short of one: 36 s of refill at 100/min.
    expect(b.waitMs(1, 0)).toBe(36_600)
  })

  it('lets a request larger than the bucket through once the bucket is full', () => {
    const b = new TokenBucket(10, 1000, 0)
    expect(b.waitMs(50, 0)).toBe(0)
    b.take(50, 0)
    expect(b.waitMs(50, 0)).toBe(5000)
  })
})
