// Generic secrets have no prefix to recognise them by: what gives them away is that they look random.
// The thresholds below were tuned on random base62/base64 tokens (which they accept about 95% of the
// time at 24 characters, 98% from 32) against the runs of [A-Za-z0-9_-+/] found in ~18 MB of npm
// package sources, docs and lockfiles (paths, URLs, identifiers, version strings, hashes), of which
// they flag only random-looking ids and base64 data.

/** Runs longer than this are encoded payloads (images, files), which a mask would destroy. */
const MAX_TOKEN = 512

/** Hex digests (git commits, sha256, UUIDs) are everywhere in code and rarely secrets; left alone. */
const HEX = /^[0-9a-f-]+$/i
/** Subresource-integrity hashes (`sha512-…`) fill lockfiles and are public. */
const SRI = /^sha(?:256|384|512)-/
/** A path segment that is a plain lowercase word (`com`, `node_modules`, `commit`). */
const WORD_SEGMENT = /^[a-z]{2,}(?:[-_][a-z]+)*$/
/** Runs that read as words: `User`, `account`, `HTTP`. */
const WORDISH = /[A-Z]?[a-z]{3,}|[A-Z]{4,}/g
const SEPARATORS = /[-_/]/g

/** Shannon entropy in bits per character. */
export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>()
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1)
  let bits = 0
  for (const n of counts.values()) {
    const p = n / text.length
    bits -= p * Math.log2(p)
  }
  return bits
}

/** The share of characters that belong to word-like runs. */
function wordShare(token: string): number {
  let n = 0
  for (const m of token.matchAll(WORDISH)) n += m[0].length
  return n / token.length
}

/**
 * Whether a run of token characters (at least 24 long) looks like a random secret rather than an
 * identifier, path, slug, hash or word. The entropy bar grows with length, since a short random string
 * cannot repeat few characters, and stops at 4.5 bits, below what long random base62 reaches.
 */
export function looksRandom(token: string): boolean {
  if (token.length > MAX_TOKEN) return false
  if (!/\d/.test(token) || !/[A-Za-z]/.test(token)) return false
  if (HEX.test(token) || SRI.test(token)) return false
  if (token.includes('/') && token.split('/').some((s) => WORD_SEGMENT.test(s))) return false
  if ((token.match(SEPARATORS)?.length ?? 0) > Math.max(2, token.length / 10)) return false
  if (shannonEntropy(token) < Math.min(0.83 * Math.log2(token.length), 4.5)) return false
  return wordShare(token) <= 0.6
}
