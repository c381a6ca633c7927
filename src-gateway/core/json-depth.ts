/** Deepest nesting a request body may have. Real requests (tool schemas included) stay far below it. */
export const MAX_JSON_DEPTH = 128

/**
 * Whether a parsed JSON value nests objects and arrays deeper than `max`. JSON.parse copes with any
 * depth, but every recursive walk after it (serialising, redaction, schema checks) would overflow the
 * stack. Walking the parsed value visits each node once and skips string contents, so it costs a small
 * fraction of the parse; the recursion itself stops at `max`.
 */
export function nestsDeeperThan(value: unknown, max: number, depth = 0): boolean {
  if (typeof value !== 'object' || value === null) return false
  if (depth === max) return true
  // Primitives are skipped without a call: an embeddings body can hold 100k numbers.
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item === 'object' && item !== null && nestsDeeperThan(item, max, depth + 1)) return true
    }
  } else {
    for (const key in value) {
      const item = (value as Record<string, unknown>)[key]
      if (typeof item === 'object' && item !== null && nestsDeeperThan(item, max, depth + 1)) return true
    }
  }
  return false
}
