import { describe, expect, it } from 'vitest'
import { CircuitBreaker, DEFAULT_BREAKER } from './breaker.js'

const opts = {
  failureThreshold: 3,
  errorRate: 0.5,
  minRequests: 10,
  windowMs: 10_000,
  cooldownMs: 5_000,
  probeFirstByteMs: 2_000,
}

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures, probes once after the cool-down, closes on success', () => {
    const b = new CircuitBreaker(opts)
    for (let i = 0; i < 3; i++) b.failure(1000 + i)
    expect(b.state).toBe('open')
    expect(b.allow(2000)).toBe(false)
    expect(b.retryInMs(2000)).toBe(4002)
    expect(b.allow(7002)).toBe(true)
    expect(b.state).toBe('half-open')
    expect(b.allow(7003)).toBe(false)
    b.success(7010)
    expect(b.state).toBe('closed')
    expect(b.allow(7011)).toBe(true)
  })

  it('re-opens when the half-open probe fails', () => {
    const b = new CircuitBreaker(opts)
    for (let i = 0; i < 3; i++) b.failure(0)
    expect(b.allow(6000)).toBe(true)
    b.failure(6001)
    expect(b.state).toBe('open')
    expect(b.allow(6002)).toBe(false)
    expect(b.opens).toBe(2)
  })

  it('lets the next call probe when the probe ended without a verdict', () => {
    const b = new CircuitBreaker(opts)
    for (let i = 0; i < 3; i++) b.failure(0)
    expect(b.allow(6000)).toBe(true)
    expect(b.allow(6001)).toBe(false)
    b.release()
    expect(b.state).toBe('half-open')
    expect(b.allow(6002)).toBe(true)
    expect(b.allow(6003)).toBe(false)
  })

  it("bounds the probe's first-byte wait by the target's own", () => {
    const b = new CircuitBreaker(opts)
    expect(b.probeFirstByteMs(300_000)).toBe(2_000)
    expect(b.probeFirstByteMs(500)).toBe(500)
    expect(DEFAULT_BREAKER.probeFirstByteMs).toBe(10_000)
  })

  it('opens on an error rate over the window without consecutive failures', () => {
    const b = new CircuitBreaker(opts)
    for (let i = 0; i < 10; i++) {
      if (i % 2 === 0) b.failure(100 * i)
      else b.success(100 * i)
    }
    expect(b.state).toBe('closed')
    b.failure(1000)
    expect(b.state).toBe('open')
  })

  it('forgets failures that fell out of the window', () => {
    const b = new CircuitBreaker(opts)
    for (let i = 0; i < 10; i++) {
      if (i % 2 === 0) b.failure(100 * i)
      else b.success(100 * i)
      if (i === 8) break
    }
    expect(b.state).toBe('closed')
    b.success(50_000)
    b.failure(50_001)
    expect(b.state).toBe('closed')
  })
})
