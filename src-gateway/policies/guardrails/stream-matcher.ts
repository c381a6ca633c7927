import type { SafeRegex } from '../../core/safe-regex.js'
import { type RegexReach, regexReach } from './regex-reach.js'

/** Finds patterns in text that arrives in pieces, as soon as a match is certain to stay one. */
export interface StreamMatcher<T> {
  /** Adds a piece; answers the first entry whose pattern now has a final match in the text so far. */
  push(delta: string): T | undefined
}

interface Entry<T> extends RegexReach {
  re: SafeRegex
  value: T
  /** Unbounded patterns: the text length at which the whole text is tested next. */
  nextFullTest: number
}

/** Up to this length an unbounded pattern is re-tested after every delta. */
const EXACT_UP_TO = 4096
/** Past it, once the text has grown by this fraction since the last test: linear work in all. */
const GROWTH = 1 / 8

/**
 * Every push re-tests each pattern only where a new final match can be: from `span + ahead` before the old
 * end, in a kept tail that also holds the `behind` context `^` and `\b` need. When every pattern is bounded
 * that is linear in the text. An unbounded one (`.*`, `+`) keeps and re-tests the whole text: after every
 * delta for the first 4 KB, then each time the text has grown by an eighth, so a long answer costs linear
 * work, not quadratic; such a match is reported at most an eighth of the text late, and the check of the
 * complete answer still sees it. A match is accepted only once `ahead` characters follow it, so
 * `\bpass\b` does not fire on the "pass" of "passport"; patterns with `$` or `\z` never fire here and are
 * left to the complete text.
 */
export function createStreamMatcher<T>(patterns: { re: SafeRegex; value: T }[]): StreamMatcher<T> {
  const entries: Entry<T>[] = patterns
    .map(({ re, value }) => ({ re, value, ...regexReach(re.source), nextFullTest: 0 }))
    .filter((e) => Number.isFinite(e.ahead))
  const keep = Math.max(0, ...entries.map((e) => e.span + e.ahead + e.behind)) + 1
  let tail = ''
  let tailStart = 0
  let length = 0

  const due = (e: Entry<T>): boolean => {
    if (Number.isFinite(e.span)) return true
    if (length > EXACT_UP_TO && length < e.nextFullTest) return false
    e.nextFullTest = length + Math.ceil(length * GROWTH)
    return true
  }

  const finalMatch = (e: Entry<T>, from: number): boolean => {
    const start = Math.max(0, from - tailStart)
    // A match-or-not test first (the fast path of RE2); positions only when there is one to place.
    if (!e.re.test(tail.slice(Math.max(0, start - e.behind)))) return false
    for (let m = e.re.findFrom(tail, start); m; ) {
      if (length - (tailStart + m.end) >= e.ahead) return true
      // Not final yet; a later, overlapping match may be.
      m = m.start < tail.length ? e.re.findFrom(tail, m.start + 1) : undefined
    }
    return false
  }

  return {
    push(delta) {
      const before = length
      tail += delta
      length += delta.length
      const hit = entries.find((e) => due(e) && finalMatch(e, Math.max(0, before - e.span - e.ahead)))
      // Trimming to 2× the window keeps slicing rare; `keep` is Infinity when any pattern is unbounded.
      if (tail.length > 2 * keep) {
        const cut = tail.length - keep
        tail = tail.slice(cut)
        tailStart += cut
      }
      return hit?.value
    },
  }
}
