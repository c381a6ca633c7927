import { type RegexReach, regexReach } from './regex-reach.js'

/** Finds patterns in text that arrives in pieces, as soon as a match is certain to stay one. */
export interface StreamMatcher<T> {
  /** Adds a piece; answers the first entry whose pattern now has a final match in the text so far. */
  push(delta: string): T | undefined
}

interface Entry<T> extends RegexReach {
  re: RegExp
  value: T
}

/**
 * Every push re-tests each pattern only where a new final match can be: from `span + ahead` before the old
 * end, in a kept tail that also holds the `behind` context `^`, `\b` and lookbehinds need. When every
 * pattern is bounded that is linear in the text; an unbounded one (`.*`, `+`, backreferences) keeps and
 * re-tests the whole text. A match is accepted only once `ahead` characters follow it, so `\bpass\b` does
 * not fire on the "pass" of "passport"; patterns with `$` never fire here and are left to the complete text.
 */
export function createStreamMatcher<T>(patterns: { re: RegExp; value: T }[]): StreamMatcher<T> {
  const entries: Entry<T>[] = patterns
    .map(({ re, value }) => ({
      re: new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`),
      value,
      ...regexReach(re.source),
    }))
    .filter((e) => Number.isFinite(e.ahead))
  const keep = Math.max(0, ...entries.map((e) => e.span + e.ahead + e.behind)) + 1
  let tail = ''
  let tailStart = 0
  let length = 0

  const finalMatch = (e: Entry<T>, from: number): boolean => {
    e.re.lastIndex = from - tailStart
    for (let m = e.re.exec(tail); m; m = e.re.exec(tail)) {
      if (length - (tailStart + m.index + m[0].length) >= e.ahead) return true
      // Not final yet; a later, overlapping match may be.
      e.re.lastIndex = m.index + 1
    }
    return false
  }

  return {
    push(delta) {
      const before = length
      tail += delta
      length += delta.length
      const hit = entries.find((e) => finalMatch(e, Math.max(0, before - e.span - e.ahead)))
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
