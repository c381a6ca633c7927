import { RE2JS } from 're2js'

// Patterns written by users (redaction, guardrails, `regex` assertions) run on RE2 (the re2js port):
// matching takes time linear in the text whatever the pattern, so `(a|aa)*c` against a long run of `a`
// cannot stall the event loop the way a backtracking engine does. RE2 has no lookaround and no
// backreferences; such patterns are refused when they are compiled, with a reason that says so.

/** A compiled user pattern. Indices are string indices (UTF-16 code units), as with `RegExp`. */
export interface SafeRegex {
  /** The pattern as the user wrote it. */
  readonly source: string
  test(text: string): boolean
  /** Each non-empty match, left to right and non-overlapping, as `RegExp` with `g` finds them. */
  forEachMatch(text: string, onMatch: (start: number, value: string) => void): void
  /** The first match starting at `from` or later; `^` and `\b` still see the text before `from`. */
  findFrom(text: string, from: number): { start: number; end: number } | undefined
}

/** Why a user's pattern cannot be compiled. */
export class UnsupportedRegexError extends Error {
  override name = 'UnsupportedRegexError'
}

const ENGINE = 'RE2 (the linear-time engine user patterns run on)'

/** JavaScript flags. `g` and `d` change nothing here (scans are always global); `u` and `v` are RE2's default. */
const FLAG_BITS: Record<string, number> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL,
  g: 0,
  d: 0,
  u: 0,
  v: 0,
  y: 0,
}

/** JavaScript's `\uXXXX` and `\u{…}` escapes, which RE2 spells `\x{…}`; every other escape is left as it is. */
function toRe2Syntax(source: string): string {
  return source.replace(/\\(?:u([0-9A-Fa-f]{4})|u\{([0-9A-Fa-f]{1,6})\}|[\s\S])/g, (sequence, four, braced) =>
    four || braced ? `\\x{${four ?? braced}}` : sequence,
  )
}

/** The plain reason RE2 refused a pattern; lookaround and backreferences get a sentence of their own. */
function refusal(source: string, err: unknown): string {
  if (/\(\?<?[=!]/.test(source))
    return `uses lookaround ((?=…), (?!…), (?<=…) or (?<!…)), which ${ENGINE} does not support`
  if (/\\(?:[1-9]|k<)/.test(source)) return `uses a backreference (\\1 or \\k<name>), which ${ENGINE} does not support`
  const description = (err as { getDescription?: () => string }).getDescription?.()
  return description ?? (err as Error).message
}

/**
 * Compiles a user's pattern written in JavaScript syntax, with JavaScript flags (`i`, `m`, `s`; `y`
 * anchors at the start). Throws `UnsupportedRegexError` for a pattern RE2 cannot run or parse.
 */
export function compileSafeRegex(source: string, flags = ''): SafeRegex {
  let bits = 0
  for (const f of flags) {
    const bit = FLAG_BITS[f]
    if (bit === undefined) throw new UnsupportedRegexError(`unknown flag '${f}'`)
    bits |= bit
  }
  let re: RE2JS
  try {
    const translated = toRe2Syntax(source)
    re = RE2JS.compile(flags.includes('y') ? `\\A(?:${translated})` : translated, bits)
  } catch (err) {
    throw new UnsupportedRegexError(refusal(source, err))
  }
  return {
    source,
    test: (text) => re.test(text),
    forEachMatch(text, onMatch) {
      const m = re.matcher(text)
      while (m.find()) {
        const start = m.start()
        const end = m.end()
        if (end > start) onMatch(start, text.slice(start, end))
      }
    },
    findFrom(text, from) {
      const m = re.matcher(text)
      return m.find(from) ? { start: m.start(), end: m.end() } : undefined
    },
  }
}
