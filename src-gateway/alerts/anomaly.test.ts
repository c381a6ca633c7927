import { describe, expect, it } from 'vitest'
import { HourlySpend } from './cost-anomaly.js'
import { TrafficMonitor } from './traffic-anomaly.js'

const HOUR = 3_600_000
const MINUTE = 60_000

describe('HourlySpend', () => {
  it('compares this hour with the trailing 24 h average, counting idle hours as zero', () => {
    const now = Date.UTC(2026, 0, 15, 12, 30)
    const spend = new HourlySpend()
    for (let h = 1; h <= 12; h++) spend.add(1, now - h * HOUR)
    // Twelve $1 hours out of 24: an average of $0.50.
    spend.add(1.5, now)
    expect(spend.check(now, 3, 0)).toBeUndefined()
    spend.add(0.1, now)
    expect(spend.check(now, 3, 0)).toEqual({ hourStart: Date.UTC(2026, 0, 15, 12), spentUsd: 1.6, averageUsd: 0.5 })
    expect(spend.check(now, 3, 2)).toBeUndefined()
  })
})

describe('TrafficMonitor', () => {
  it('flags once when the window passes factor × norm and the floor, and clears after', () => {
    const t0 = Date.UTC(2026, 0, 15, 12)
    const m = new TrafficMonitor({ factor: 5, windowMinutes: 5, minRequests: 3 })
    // Six requests over the hour before: a norm of 0.5 per 5-minute window.
    for (let i = 0; i < 6; i++) m.add('ci', t0 - (i + 1) * 10 * MINUTE)
    expect(m.hit('ci', t0)).toBeUndefined()
    expect(m.hit('ci', t0)).toBeUndefined()
    expect(m.hit('ci', t0)).toEqual({ windowRequests: 3, normPerWindow: 0.5, windowMinutes: 5 })
    // Still anomalous, but the onset was already reported.
    expect(m.hit('ci', t0)).toBeUndefined()
    expect(m.flag('ci', t0)).toMatchObject({ windowRequests: 4 })
    expect(m.flag('ci', t0 + 5 * MINUTE)).toBeUndefined()
    expect(m.flag('other', t0)).toBeUndefined()
  })
})
