import { describe, expect, it } from 'vitest'
import { regexReach } from './regex-reach.js'

const INF = Number.POSITIVE_INFINITY

describe('regexReach', () => {
  it.each([
    ['password', { span: 8, ahead: 0, behind: 0 }],
    ['pass(word)?', { span: 8, ahead: 0, behind: 0 }],
    ['cat|horse', { span: 5, ahead: 0, behind: 0 }],
    ['[a-z]{2,4}\\d', { span: 5, ahead: 0, behind: 0 }],
    ['(?:ab){3}', { span: 6, ahead: 0, behind: 0 }],
    ['x{0}y', { span: 1, ahead: 0, behind: 0 }],
    ['\\x41\\u0042\\n\\.', { span: 4, ahead: 0, behind: 0 }],
    ['[\\]a]b', { span: 2, ahead: 0, behind: 0 }],
    ['a{,2}', { span: 5, ahead: 0, behind: 0 }], // not a quantifier without `u`: five literal characters
    ['\\bkey\\b', { span: 3, ahead: 1, behind: 1 }],
    ['^secret', { span: 6, ahead: 0, behind: 1 }],
    ['secret$', { span: 6, ahead: INF, behind: 0 }],
    ['foo(?!bar)', { span: 3, ahead: 3, behind: 0 }],
    ['foo(?=bar)', { span: 6, ahead: 0, behind: 0 }],
    ['foo(?=bar\\b)', { span: 6, ahead: 4, behind: 1 }],
    ['(?<=id: )\\d{4}', { span: 4, ahead: 0, behind: 4 }],
    ['(?<name>ab)c', { span: 3, ahead: 0, behind: 0 }],
  ])('%s', (source, reach) => {
    expect(regexReach(source)).toEqual(reach)
  })

  it.each(['a+', 'a*b', 'x{2,}', '(a)\\1', '(?<n>a)\\k<n>', 'a.*b'])('%s is unbounded', (source) => {
    expect(regexReach(source).span).toBe(INF)
  })

  it('treats a lookbehind of unbounded length as needing the whole text before', () => {
    expect(regexReach('(?<=a.*)b').behind).toBe(INF)
  })
})
