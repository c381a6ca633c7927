import { describe, expect, it } from 'vitest'
import { compileSafeRegex } from '../../core/safe-regex.js'
import { regexReach } from './regex-reach.js'

const INF = Number.POSITIVE_INFINITY

describe('regexReach', () => {
  it.each([
    ['password', { span: 8, ahead: 0, behind: 0 }],
    ['pass(word)?', { span: 8, ahead: 0, behind: 0 }],
    ['cat|horse', { span: 5, ahead: 0, behind: 0 }],
    // A class, `.` or `\W` can match a character of two code units.
    ['[a-z]{2,4}\\d', { span: 9, ahead: 0, behind: 0 }],
    ['.{3}', { span: 6, ahead: 0, behind: 0 }],
    ['\\W\\w', { span: 3, ahead: 0, behind: 0 }],
    ['(?:ab){3}', { span: 6, ahead: 0, behind: 0 }],
    ['x{0}y', { span: 1, ahead: 0, behind: 0 }],
    ['\\x41\\u0042\\n\\.', { span: 6, ahead: 0, behind: 0 }],
    ['\\x{1F600}\\p{Greek}\\pL', { span: 6, ahead: 0, behind: 0 }],
    ['[\\]a]b', { span: 3, ahead: 0, behind: 0 }],
    ['a{,2}', { span: 5, ahead: 0, behind: 0 }], // not a quantifier: five literal characters
    ['\\bkey\\b', { span: 3, ahead: 1, behind: 1 }],
    ['^secret', { span: 6, ahead: 0, behind: 1 }],
    ['\\Asecret', { span: 6, ahead: 0, behind: 1 }],
    ['secret$', { span: 6, ahead: INF, behind: 0 }],
    ['secret\\z', { span: 6, ahead: INF, behind: 0 }],
    ['(?<name>ab)c', { span: 3, ahead: 0, behind: 0 }],
    ['(?P<name>ab)c', { span: 3, ahead: 0, behind: 0 }],
    ['(?i)id: \\d{4}', { span: 8, ahead: 0, behind: 0 }],
    ['(?i:ab)(?s:c)', { span: 3, ahead: 0, behind: 0 }],
    ['(x\\b)y', { span: 2, ahead: 1, behind: 1 }],
  ])('%s', (source, reach) => {
    expect(() => compileSafeRegex(source)).not.toThrow()
    expect(regexReach(source)).toEqual(reach)
  })

  it.each(['a+', 'a*b', 'x{2,}', 'a.*b'])('%s is unbounded', (source) => {
    expect(regexReach(source).span).toBe(INF)
  })

  it('treats a pattern it cannot read as unbounded', () => {
    expect(regexReach('(?=a)b')).toEqual({ span: INF, ahead: 0, behind: 0 })
  })
})
