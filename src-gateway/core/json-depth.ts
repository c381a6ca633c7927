/** Deepest nesting a request body may have. Real requests (tool schemas included) stay far below it. */
export const MAX_JSON_DEPTH = 128

/**
 * Whether JSON text nests objects and arrays deeper than `max`. Deeper bodies parse fine, but every
 * recursive walk after the parser (serialising, redaction, schema checks) would then overflow the stack.
 * One pass over the text, jumping over string contents with indexOf: far cheaper than the parse itself.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0
  const n = text.length
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c === 34 /* " */) {
      i = closingQuote(text, i + 1)
      if (i < 0) return false // unterminated: JSON.parse reports it
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > max) return true
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--
  }
  return false
}

/** Index of the quote that ends a string whose content starts at `from`, or -1. */
function closingQuote(s: string, from: number): number {
  for (let q = s.indexOf('"', from); q >= 0; q = s.indexOf('"', q + 1)) {
    let slashes = 0
    while (s.charCodeAt(q - 1 - slashes) === 92 /* \ */) slashes++
    if (slashes % 2 === 0) return q
  }
  return -1
}
