import { describe, expect, it } from 'vitest'
import { Sessions } from './sessions.js'

describe('Sessions', () => {
  it('keeps a used session alive and drops one idle for over 12 hours', () => {
    let now = 0
    const s = new Sessions(() => now)
    const id = s.open()
    now += 11 * 3600_000
    expect(s.touch(id)).toBe(true)
    now += 11 * 3600_000
    expect(s.touch(id)).toBe(true)
    now += 12 * 3600_000 + 1
    expect(s.touch(id)).toBe(false)
    expect(s.touch(id)).toBe(false)
  })

  it('spends a code once, and not after ten minutes', () => {
    let now = 0
    const s = new Sessions(() => now)
    const code = s.createCode()
    expect(s.redeem(code)).toBe(true)
    expect(s.redeem(code)).toBe(false)
    const late = s.createCode()
    now += 10 * 60_000 + 1
    expect(s.redeem(late)).toBe(false)
  })

  it('keeps at most 256 sessions, dropping the least recently used', () => {
    const s = new Sessions()
    const first = s.open()
    const second = s.open()
    for (let i = 0; i < 254; i++) s.open()
    expect(s.touch(first)).toBe(true)
    s.open()
    expect(s.touch(second)).toBe(false)
    expect(s.touch(first)).toBe(true)
  })
})
