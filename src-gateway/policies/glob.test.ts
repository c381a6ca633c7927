import { describe, expect, it } from 'vitest'
import { compileGlob } from './glob.js'
import { periodEnd, periodStart } from './spend-ledger.js'

describe('compileGlob', () => {
  it('matches route aliases and provider/model names', () => {
    expect(compileGlob('fast')('fast')).toBe(true)
    expect(compileGlob('fast')('faster')).toBe(false)
    expect(compileGlob('openai/*')('openai/gpt-4o-mini')).toBe(true)
    expect(compileGlob('openai/*')('local/llama3.2')).toBe(false)
    expect(compileGlob('*/llama*')('local/llama3.2')).toBe(true)
    expect(compileGlob('gpt-4?')('gpt-4o')).toBe(true)
    expect(compileGlob('gpt-4?')('gpt-4o-mini')).toBe(false)
    expect(compileGlob('*')('anything/at/all')).toBe(true)
    expect(compileGlob('a*')('a*b')).toBe(true)
    expect(compileGlob('*-*-x')('a-b-c-x')).toBe(true)
    expect(compileGlob('*-*-x')('a-b-c-y')).toBe(false)
    expect(compileGlob('**?')('')).toBe(false)
  })

  it('treats regex characters literally', () => {
    expect(compileGlob('local/llama3.2')('local/llama3x2')).toBe(false)
    expect(compileGlob('a+b')('a+b')).toBe(true)
    expect(compileGlob('(x)')('(x)')).toBe(true)
  })
})

describe('budget periods', () => {
  const at = Date.UTC(2026, 10, 25, 15, 30) // a Wednesday
  it('start and end in UTC, weeks on Monday', () => {
    expect(new Date(periodStart('day', at)).toISOString()).toBe('2026-11-25T00:00:00.000Z')
    expect(new Date(periodStart('week', at)).toISOString()).toBe('2026-11-23T00:00:00.000Z')
    expect(new Date(periodStart('month', at)).toISOString()).toBe('2026-11-01T00:00:00.000Z')
    expect(periodStart('total', at)).toBe(0)
    expect(new Date(periodEnd('week', at)!).toISOString()).toBe('2026-11-30T00:00:00.000Z')
    expect(new Date(periodEnd('month', Date.UTC(2026, 11, 31))!).toISOString()).toBe('2027-01-01T00:00:00.000Z')
    expect(periodEnd('total', at)).toBeUndefined()
  })
})
