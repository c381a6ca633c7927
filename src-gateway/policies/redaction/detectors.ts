import { isIP } from 'node:net'
import { compileSafeRegex, type SafeRegex } from '../../core/safe-regex.js'
import { ibanValid, luhnValid } from './checksums.js'
import { looksRandom } from './random-token.js'

export interface Detector {
  /** The entity type, which is also the placeholder's label: `credit_card` → `[CREDIT_CARD_1]`. */
  type: string
  /**
   * Every match is a candidate: a global `RegExp` for the built-ins (ours, written to run in linear time)
   * or a custom pattern compiled for RE2, which runs in linear time whatever the pattern.
   */
  pattern: RegExp | SafeRegex
  /** A cheap necessary condition on the whole text: when it fails, the pattern is not run at all. */
  hint?: RegExp
  /** Rejects candidates the pattern alone cannot tell apart (checksums, entropy, digit counts). */
  validate?: (match: string) => boolean
}

/** One detected value: `text.slice(start, end) === value`. */
export interface Entity {
  type: string
  start: number
  end: number
  value: string
}

/** A custom pattern from config: its name becomes the entity type. */
export interface CustomPattern {
  name: string
  pattern: string
  flags?: string
}

/**
 * A lookbehind: the match must not continue a run of `chars`. A character right after a backslash is
 * the letter of a JSON escape (`\n`), not text, so `\njohn@x.com` inside a tool call's JSON arguments
 * still yields `john@x.com`; and no match starts right after a backslash, which would split the escape
 * and leave invalid JSON behind.
 */
const notAfter = (chars: string) => `(?<!\\\\|(?<!\\\\)[${chars}])`

const digitCount = (s: string) => s.replace(/\D/g, '').length
const digitsBetween = (min: number, max: number) => (s: string) => {
  const n = digitCount(s)
  return n >= min && n <= max
}

/** Printed card layouts: 4-4-4-4 (13 to 19 digits end with a shorter group) and Amex/Diners' 4-6-5 / 4-6-4. */
const CARD_GROUPS = /^(?:4,6,[45]|4,4,4,[1-4](?:,[1-3])?)$/

function cardValid(match: string): boolean {
  const separators = new Set(match.match(/[ -]/g))
  if (separators.size > 1) return false
  if (separators.size === 1) {
    const lengths = match.split(/[ -]/).map((g) => g.length)
    if (!CARD_GROUPS.test(lengths.join(','))) return false
  }
  return luhnValid(match.replace(/[ -]/g, ''))
}

function ipv4Valid(match: string): boolean {
  // Loopback, "any" and broadcast identify no one and fill every config and log.
  return !/^(?:0|127)\./.test(match) && match !== '255.255.255.255'
}

function ipv6Valid(match: string): boolean {
  // A digit keeps all-hex words such as `cafe::face` (C++ and Rust paths) out.
  return /\d/.test(match) && isIP(match) === 6 && match !== '::1'
}

/** `sk-` also starts hyphenated words (`sk-learn-compatible-…`); a real key has a digit somewhere. */
const hasDigit = (s: string) => /\d/.test(s)

/** A phone is not the tail of a longer number or word: `#123-…`, `x+1…`, `v2.415…`, `12 415…`. */
const PHONE_START = `${notAfter('\\w+#/.-')}(?<!\\d[ .-])`
/** A phone must end where its digits end: `555-1234-99` is not one. */
const PHONE_END = `(?![\\w+]|[ .-]?\\d)`
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)'
const KEY_START = notAfter('\\w-')

const re = (source: string) => new RegExp(source, 'g')
const apiKey = (source: string, hint: RegExp, validate?: (m: string) => boolean): Detector => ({
  type: 'api_key',
  pattern: re(`${KEY_START}(?:${source})(?![\\w-])`),
  hint,
  validate,
})

/**
 * The built-in detectors, in priority order for matches of equal length. Every one has a hint, so a
 * text with none of `@`, digits, `:` or a vendor prefix costs one scan of a combined regex.
 */
export const BUILTIN_DETECTORS: readonly Detector[] = [
  {
    type: 'email',
    // `git@github.com:org/repo` is an SSH remote, not a mailbox.
    pattern: re(`${notAfter('\\w.%+-')}[A-Za-z0-9][\\w.%+-]*@(?:[A-Za-z0-9-]+\\.)+[A-Za-z]{2,24}(?![\\w-]|:[\\w~/])`),
    hint: /@/,
  },
  {
    type: 'credit_card',
    pattern: re(`${notAfter('\\w.+-')}(?<!\\d[ -])[2-6]\\d{3}(?:[ -]?\\d){9,15}(?![\\w]|[ -]?\\d)`),
    hint: /\d{4}/,
    validate: cardValid,
  },
  {
    type: 'iban',
    pattern: re(`${notAfter('A-Za-z0-9')}[A-Z]{2}\\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])`),
    hint: /[A-Z]{2}\d\d/,
    validate: ibanValid,
  },
  // Phones: a `+` country code, a North American 3-3-4 number, or a national number with a trunk 0
  // (most of Europe). Bare digit runs, dates, versions and times match none of the three.
  {
    type: 'phone',
    pattern: re(
      `${PHONE_START}\\+(?:\\d{7,15}|\\d{1,4}(?:[ .-]?\\(\\d{1,5}\\)[ .-]?\\d{1,8}|[ .-]\\d{1,8}){1,7})${PHONE_END}`,
    ),
    hint: /\+\d/,
    validate: digitsBetween(8, 15),
  },
  {
    type: 'phone',
    pattern: re(
      `${PHONE_START}(?:1[ .-])?(?:\\([2-9]\\d{2}\\) ?[2-9]\\d{2}[ .-]|[2-9]\\d{2}([ .-])[2-9]\\d{2}\\1)\\d{4}${PHONE_END}`,
    ),
    hint: /\d{4}/,
  },
  {
    type: 'phone',
    // Nine digits at least: `01.02.2024` has eight.
    pattern: re(
      `${PHONE_START}(?:\\(0[1-9]\\d{0,3}\\) ?\\d{2,8}(?:[ .-]\\d{2,8}){0,3}|0[1-9]\\d{0,3}([ .-])\\d{2,8}(?:\\1\\d{2,8}){0,3})${PHONE_END}`,
    ),
    hint: /0[1-9]/,
    validate: digitsBetween(9, 12),
  },
  {
    type: 'ip',
    pattern: re(`${notAfter('\\w.')}${OCTET}(?:\\.${OCTET}){3}(?!\\w|\\.\\d)`),
    hint: /\d\.\d/,
    validate: ipv4Valid,
  },
  {
    type: 'ip',
    pattern: re(`${notAfter('\\w:.')}(?:[0-9A-Fa-f]{1,4}|:)(?::[0-9A-Fa-f]{0,4}){2,7}(?:\\.\\d{1,3}){0,3}`),
    hint: /[0-9A-Fa-f:]:[0-9A-Fa-f:]/,
    validate: ipv6Valid,
  },
  // OpenAI (`sk-`, `sk-proj-`), Anthropic (`sk-ant-`), OpenRouter (`sk-or-`); `sk-learn-…` has no digit.
  apiKey('sk-[\\w-]{20,}', /sk-/, hasDigit),
  apiKey('[rs]k_(?:live|test)_[A-Za-z0-9]{16,}', /k_(?:live|test)_/),
  apiKey('(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}', /A(?:KIA|SIA|BIA|CCA)/),
  apiKey('gh[pousr]_[A-Za-z0-9]{36,}|github_pat_\\w{22,}', /gh[pousr]_|github_pat_/),
  apiKey('xox[abeprs]-[A-Za-z0-9-]{10,}', /xox[abeprs]-/),
  apiKey('AIza[\\w-]{35}', /AIza/),
  apiKey('glpat-[\\w-]{20,}', /glpat-/),
  apiKey('(?:hf|npm|gsk)_[A-Za-z0-9]{30,}', /(?:hf|npm|gsk)_/),
  // JWT: a JSON header and a JSON payload (both base64url of `{"`), then the signature (empty for alg none).
  apiKey('eyJ[\\w-]{5,}\\.eyJ[\\w-]{5,}\\.[\\w-]*', /eyJ/),
  {
    type: 'api_key',
    // A block cut off before its END line is still a private key: it runs to the end of the text.
    pattern: re('-----BEGIN ([A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----[\\s\\S]*?(?:-----END \\1-----|$)'),
    hint: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY/,
  },
  {
    type: 'api_key',
    // `=` only as base64 padding, so `KEY=value` yields the value alone.
    pattern: re(`${notAfter('\\w+/-')}[\\w+/-]{24,}={0,2}`),
    hint: /\d/,
    validate: looksRandom,
  },
]

/** Custom patterns from config (flags as the schema allows: `i`, `m`, `s`, `u`); listed before the built-ins, an admin's pattern wins a tie with one. */
export function customDetectors(custom: readonly CustomPattern[]): Detector[] {
  return custom.map((c) => ({ type: c.name, pattern: compileSafeRegex(c.pattern, c.flags) }))
}

/**
 * Keeps one entity per span: the longest candidate wins, then the leftmost, then the detector listed
 * first (the sort is stable and candidates arrive in detector order).
 */
function resolveOverlaps(candidates: Entity[]): Entity[] {
  candidates.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start)
  const kept: Entity[] = [] // ordered by start
  for (const c of candidates) {
    let lo = 0
    let hi = kept.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (kept[mid].start < c.start) lo = mid + 1
      else hi = mid
    }
    if ((lo > 0 && kept[lo - 1].end > c.start) || (lo < kept.length && kept[lo].start < c.end)) continue
    kept.splice(lo, 0, c)
  }
  return kept
}

/** Calls `onMatch` for each non-empty match, left to right. */
function eachMatch(pattern: RegExp | SafeRegex, text: string, onMatch: (start: number, value: string) => void): void {
  if (!(pattern instanceof RegExp)) {
    pattern.forEachMatch(text, onMatch)
    return
  }
  pattern.lastIndex = 0
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    if (m[0] === '') pattern.lastIndex++
    else onMatch(m.index, m[0])
  }
}

/** Finds entities in a text, ordered by position and never overlapping. */
export type Scanner = (text: string) => Entity[]

/** A scanner over the given detectors, in their priority order. */
export function createScanner(detectors: readonly Detector[]): Scanner {
  // One scan answers "could anything match here?" for most texts; custom patterns have no hint.
  const hints = detectors.every((d) => d.hint)
    ? new RegExp([...new Set(detectors.map((d) => d.hint!.source))].join('|'))
    : undefined
  return (text) => {
    if (hints && !hints.test(text)) return []
    const candidates: Entity[] = []
    for (const d of detectors) {
      if (d.hint && !d.hint.test(text)) continue
      eachMatch(d.pattern, text, (start, value) => {
        if (!d.validate || d.validate(value)) candidates.push({ type: d.type, start, end: start + value.length, value })
      })
    }
    return candidates.length > 1 ? resolveOverlaps(candidates) : candidates
  }
}
