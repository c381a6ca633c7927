// How far a blocked pattern can look around a match, so a stream is re-tested over a short tail window
// instead of the whole answer after every delta. The analysis reads the pattern as JavaScript parses it
// without the `u` flag (how blocked patterns are compiled) and only ever over-estimates: a too-large window
// costs time, a too-small one would miss a match.

/** Distances in UTF-16 code units (what string indices count); `Infinity` when unbounded. */
export interface RegexReach {
  /** Longest stretch a match, lookaheads included, can examine from where it starts. */
  span: number
  /**
   * Text that must follow a match before it is final: `\b`, `\B` and `(?!…)` can hold at the current end of a
   * stream and fail once more text arrives; `$` is only final at the real end (`Infinity`).
   */
  ahead: number
  /** Text before a match's start that `^`, `\b` and lookbehinds examine. */
  behind: number
}

/** What a pattern the analysis cannot read is treated as: re-tested over the whole text, no delay. */
const UNKNOWN: RegexReach = { span: Number.POSITIVE_INFINITY, ahead: 0, behind: 0 }

class ParseError extends Error {}

class Reader {
  i = 0
  ahead = 0
  behind = 0
  constructor(readonly src: string) {}
  get c(): string | undefined {
    return this.src[this.i]
  }
}

const QUANTIFIER = /^\{(\d+)(,(\d*))?\}/
const HEX2 = /^[0-9a-fA-F]{2}/
const HEX4 = /^[0-9a-fA-F]{4}/

/** `n` repetitions of something `len` long; nothing repeated, or repeated zero times, stays empty. */
const times = (len: number, n: number) => (len === 0 || n === 0 ? 0 : len * n)

function disjunction(r: Reader): number {
  let longest = alternative(r)
  while (r.c === '|') {
    r.i++
    longest = Math.max(longest, alternative(r))
  }
  return longest
}

function alternative(r: Reader): number {
  let total = 0
  while (r.i < r.src.length && r.c !== '|' && r.c !== ')') total += quantified(r, term(r))
  return total
}

function quantified(r: Reader, len: number): number {
  const c = r.c
  let n: number
  if (c === '*' || c === '+') {
    r.i++
    n = Number.POSITIVE_INFINITY
  } else if (c === '?') {
    r.i++
    n = 1
  } else if (c === '{') {
    const m = QUANTIFIER.exec(r.src.slice(r.i))
    // Without `u`, a `{` that does not form a quantifier is a literal, read as the next term.
    if (!m) return len
    r.i += m[0].length
    n = m[2] === undefined ? Number(m[1]) : m[3] ? Number(m[3]) : Number.POSITIVE_INFINITY
  } else {
    return len
  }
  if (r.c === '?') r.i++ // lazy: same reach
  return times(len, n)
}

function term(r: Reader): number {
  const c = r.c
  r.i++
  switch (c) {
    case '^':
      r.behind = Math.max(r.behind, 1)
      return 0
    case '$':
      r.ahead = Number.POSITIVE_INFINITY
      return 0
    case '[':
      skipClass(r)
      return 1
    case '(':
      return group(r)
    case '\\':
      return escapeSequence(r)
    default:
      return 1
  }
}

function skipClass(r: Reader): void {
  if (r.c === '^') r.i++
  while (r.i < r.src.length && r.c !== ']') r.i += r.c === '\\' ? 2 : 1
  if (r.c !== ']') throw new ParseError('unterminated class')
  r.i++
}

function escapeSequence(r: Reader): number {
  const c = r.c
  if (c === undefined) throw new ParseError('trailing backslash')
  r.i++
  if (c === 'b' || c === 'B') {
    r.ahead = Math.max(r.ahead, 1)
    r.behind = Math.max(r.behind, 1)
    return 0
  }
  // Backreferences repeat a group of unknown length (without groups `\1` is an octal escape: over-estimated).
  if (c >= '1' && c <= '9') {
    while (r.c !== undefined && r.c >= '0' && r.c <= '9') r.i++
    return Number.POSITIVE_INFINITY
  }
  if (c === 'k' && r.c === '<') {
    const close = r.src.indexOf('>', r.i)
    r.i = close < 0 ? r.src.length : close + 1
    return Number.POSITIVE_INFINITY
  }
  if (c === 'x' && HEX2.test(r.src.slice(r.i))) r.i += 2
  else if (c === 'u' && HEX4.test(r.src.slice(r.i))) r.i += 4
  else if (c === 'c') {
    if (r.c !== undefined && /[a-zA-Z]/.test(r.c)) r.i++
    else return 2 // `\c` not followed by a letter is a literal backslash and `c`
  }
  return 1
}

/** Reads a sub-pattern as if it were a whole one, so its own end and start needs can be weighed. */
function nested(r: Reader): RegexReach {
  const outer = { ahead: r.ahead, behind: r.behind }
  r.ahead = 0
  r.behind = 0
  const span = disjunction(r)
  if (r.c !== ')') throw new ParseError('unterminated group')
  r.i++
  const inner = { span, ahead: r.ahead, behind: r.behind }
  r.ahead = outer.ahead
  r.behind = outer.behind
  return inner
}

function group(r: Reader): number {
  const rest = r.src.slice(r.i)
  const lookbehind = /^\?<[=!]/.test(rest)
  const lookahead = /^\?[=!]/.test(rest)
  if (lookbehind || lookahead) {
    const negative = rest[lookbehind ? 2 : 1] === '!'
    r.i += lookbehind ? 3 : 2
    const inner = nested(r)
    if (lookbehind) {
      r.behind = Math.max(r.behind, inner.span + inner.behind)
      r.ahead = Math.max(r.ahead, inner.ahead)
      return 0
    }
    // A positive lookahead that holds on a prefix still holds once more text arrives, unless it asserts
    // something about the end itself; a negative one can be broken by any of the text it examines.
    if (negative || inner.ahead > 0) r.ahead = Math.max(r.ahead, inner.span + inner.ahead)
    r.behind = Math.max(r.behind, inner.behind)
    // What a negative lookahead examines is already waited for through `ahead`.
    return negative ? 0 : inner.span
  }
  if (rest.startsWith('?<')) {
    const close = r.src.indexOf('>', r.i)
    if (close < 0) throw new ParseError('unterminated group name')
    r.i = close + 1
  } else if (rest.startsWith('?')) {
    // `(?:` and modifier groups such as `(?i:` / `(?-i:`.
    const colon = r.src.indexOf(':', r.i)
    if (colon < 0) throw new ParseError('unknown group')
    r.i = colon + 1
  }
  const inner = nested(r)
  r.ahead = Math.max(r.ahead, inner.ahead)
  r.behind = Math.max(r.behind, inner.behind)
  return inner.span
}

/** The reach of a pattern source (already known to compile); unreadable patterns get an unbounded span. */
export function regexReach(source: string): RegexReach {
  const r = new Reader(source)
  try {
    const span = disjunction(r)
    if (r.i < source.length) return UNKNOWN
    return { span, ahead: r.ahead, behind: r.behind }
  } catch (err) {
    if (err instanceof ParseError) return UNKNOWN
    throw err
  }
}
