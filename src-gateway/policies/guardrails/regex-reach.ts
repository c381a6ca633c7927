// How far a blocked pattern can look around a match, so a stream is re-tested over a short tail window
// instead of the whole answer after every delta. Blocked patterns run on RE2, which matches by code point:
// `.`, a class or `\W` can match a character that takes two UTF-16 code units, so those count 2. The
// analysis reads JavaScript syntax plus RE2's own (`(?i)`, `(?P<name>`, `\A`, `\z`, `\x{…}`, `\p{…}`) and
// only ever over-estimates: a too-large window costs time, a too-small one would miss a match.

/** Distances in UTF-16 code units (what string indices count); `Infinity` when unbounded. */
export interface RegexReach {
  /** Longest stretch a match can examine from where it starts. */
  span: number
  /**
   * Text that must follow a match before it is final: `\b` and `\B` can hold at the current end of a stream
   * and fail once more text arrives; `$` and `\z` are only final at the real end (`Infinity`).
   */
  ahead: number
  /** Text before a match's start that `^`, `\A` and `\b` examine. */
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
  /** An assertion (`^`, `$`, `\b`…): matches nothing, and examines `behind` and `ahead` units around it. */
  assertion(behind: number, ahead: number): number {
    this.behind = Math.max(this.behind, behind)
    this.ahead = Math.max(this.ahead, ahead)
    return 0
  }
}

const QUANTIFIER = /^\{(\d+)(,(\d*))?\}/
/** The most UTF-16 code units one matched character can take (a surrogate pair). */
const WIDE = 2

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
    // As in RE2, a `{` that does not form a quantifier is a literal, read as the next term.
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
      return r.assertion(1, 0)
    case '$':
      return r.assertion(0, Number.POSITIVE_INFINITY)
    case '.':
      return WIDE
    case '[':
      skipClass(r)
      return WIDE
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
  switch (c) {
    case 'b':
    case 'B':
      return r.assertion(1, 1)
    case 'A':
      return r.assertion(1, 0)
    case 'z':
      return r.assertion(0, Number.POSITIVE_INFINITY)
    case 'x':
    case 'u':
    case 'p':
    case 'P':
      // `\x{1F600}`, `\p{Greek}`; else `\x41`, `\u0042`, `\pL`.
      if (r.c === '{') {
        const close = r.src.indexOf('}', r.i)
        if (close < 0) throw new ParseError('unterminated escape')
        r.i = close + 1
      } else {
        r.i += c === 'x' ? 2 : c === 'u' ? 4 : 1
      }
      return WIDE
    case 'D':
    case 'S':
    case 'W':
      return WIDE
    default:
      return 1
  }
}

/** A group, capturing or not, or a flag setting such as `(?i)`, which matches nothing. */
function group(r: Reader): number {
  const rest = r.src.slice(r.i)
  const flags = /^\?[a-zA-Z-]*\)/.exec(rest)
  if (flags) {
    r.i += flags[0].length
    return 0
  }
  const opening = /^\?(?:P?<[^>]*>|[a-zA-Z-]*:)/.exec(rest)
  if (opening) r.i += opening[0].length
  else if (rest.startsWith('?')) throw new ParseError('unknown group')
  const span = disjunction(r)
  if (r.c !== ')') throw new ParseError('unterminated group')
  r.i++
  return span
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
