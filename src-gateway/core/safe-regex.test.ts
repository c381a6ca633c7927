import { describe, expect, it } from 'vitest'
import { compileSafeRegex, UnsupportedRegexError } from './safe-regex.js'

const matches = (source: string, text: string, flags?: string) => {
  const out: [number, string][] = []
  compileSafeRegex(source, flags).forEachMatch(text, (start, value) => out.push([start, value]))
  return out
}

describe('compileSafeRegex', () => {
  it('reads JavaScript syntax and flags', () => {
    expect(compileSafeRegex('\\u0041\\u{42}').test('AB')).toBe(true)
    expect(compileSafeRegex('\\\\u0041').test('\\u0041')).toBe(true)
    expect(compileSafeRegex('(?<id>\\d+)-x').test('12-x')).toBe(true)
    expect(compileSafeRegex('secret', 'i').test('SECRET')).toBe(true)
    expect(compileSafeRegex('^b', 'm').test('a\nb')).toBe(true)
    expect(compileSafeRegex('a.b', 's').test('a\nb')).toBe(true)
    expect(compileSafeRegex('a.b').test('a\nb')).toBe(false)
    expect(compileSafeRegex('b', 'y').test('ab')).toBe(false)
    expect(compileSafeRegex('a', 'gy').test('ab')).toBe(true)
  })

  it('finds non-empty matches left to right at string (UTF-16) indices', () => {
    expect(matches('x*', 'axxb')).toEqual([[1, 'xx']])
    expect(matches('b+', '😀bb a bbb')).toEqual([
      [2, 'bb'],
      [7, 'bbb'],
    ])
  })

  it('finds from an index with the text before it as context', () => {
    const re = compileSafeRegex('\\bid')
    expect(re.findFrom('xid id', 1)).toEqual({ start: 4, end: 6 })
    expect(compileSafeRegex('^a').findFrom('aa', 1)).toBeUndefined()
  })

  it('matches in linear time where a backtracking engine would not', () => {
    const started = performance.now()
    expect(compileSafeRegex('(a|aa)*c').test('a'.repeat(100_000))).toBe(false)
    expect(matches('(a|aa)*b', 'a'.repeat(100_000))).toEqual([])
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it.each([
    ['pass(?!word)', /^uses lookaround/],
    ['(?<=id: )\\d+', /^uses lookaround/],
    ['(a)\\1', /^uses a backreference/],
    ['(?<n>a)\\k<n>', /^uses a backreference/],
    ['(unclosed', /^missing closing \)/],
    ['a{2,2000}', /^invalid repeat count/],
  ])('refuses %s with a reason', (source, reason) => {
    expect(() => compileSafeRegex(source)).toThrow(UnsupportedRegexError)
    expect(() => compileSafeRegex(source)).toThrow(reason)
  })

  it('refuses an unknown flag', () => {
    expect(() => compileSafeRegex('a', 'x')).toThrow("unknown flag 'x'")
  })
})
