import { describe, expect, it } from 'vitest'
import {
  entityLabel,
  formatBytes,
  formatDateTime,
  formatDuration,
  formatEntityCounts,
  formatPercent,
  formatTokensInOut,
  formatTtl,
  formatUsd,
  formatUsdAxis,
  UNKNOWN,
} from './format'

describe('format', () => {
  it('money follows ui.md: cents under $1, a floor, and unknown as a dash', () => {
    expect(formatUsd(1234.5)).toBe('$1,234.50')
    expect(formatUsd(0.0042)).toBe('$0.0042')
    expect(formatUsd(0.132)).toBe('$0.132')
    expect(formatUsd(0.5)).toBe('$0.50')
    expect(formatUsd(0.00004)).toBe('<$0.0001')
    expect(formatUsd(0)).toBe('$0')
    expect(formatUsd(null)).toBe(UNKNOWN)
    expect(formatUsdAxis(1200)).toBe('$1.2K')
  })

  it('durations pick their unit', () => {
    expect(formatDuration(842.4)).toBe('842 ms')
    expect(formatDuration(1240)).toBe('1.24 s')
    expect(formatDuration(125_000)).toBe('2m 05s')
    expect(formatDuration(null)).toBe(UNKNOWN)
  })

  it('percent and tokens', () => {
    expect(formatPercent(1, 8)).toBe('12.5%')
    expect(formatPercent(1, 5000)).toBe('<0.1%')
    expect(formatPercent(0, 0)).toBe(UNKNOWN)
    expect(formatTokensInOut(1204, 356)).toBe('1,204 → 356')
    expect(formatTokensInOut(null, null)).toBe(UNKNOWN)
  })
})

describe('formatBytes', () => {
  it('uses the largest unit that keeps the number at 1 or more', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(1023)).toBe('1,023 B')
    expect(formatBytes(12_700)).toBe('12.4 KB')
    expect(formatBytes(2.1 * 1024 * 1024)).toBe('2.1 MB')
    expect(formatBytes(null)).toBe(UNKNOWN)
  })

  it('redacted entities read as types with counts, most first', () => {
    expect(entityLabel('credit_card')).toBe('credit card')
    expect(formatEntityCounts({ credit_card: 1, email: 2 })).toBe('email ×2, credit card ×1')
    expect(formatEntityCounts({ phone: 1, api_key: 1 })).toBe('api key ×1, phone ×1')
    expect(formatEntityCounts({ email: 1200 })).toBe('email ×1,200')
    expect(formatEntityCounts({})).toBe(UNKNOWN)
  })

  it('a time to live reads in its largest whole unit', () => {
    expect(formatTtl(3600)).toBe('1 h')
    expect(formatTtl(1800)).toBe('30 min')
    expect(formatTtl(172_800)).toBe('2 d')
    expect(formatTtl(5400)).toBe('90 min')
    expect(formatTtl(45)).toBe('45 s')
  })
})

describe('formatDateTime', () => {
  it('always shows the date, even for today', () => {
    expect(formatDateTime('2026-12-03T12:03:12Z')).toMatch(/^Dec 3, 2026, \d\d:\d\d$/)
    expect(formatDateTime('nope')).toBe('—')
  })
})
