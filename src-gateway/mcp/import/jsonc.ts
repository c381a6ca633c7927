// VS Code's settings.json and mcp.json are JSON with comments and trailing commas (JSONC); the other
// tools write plain JSON, which this reads too.

/**
 * The text with `//` and block comments and trailing commas blanked out (strings left alone), so that
 * JSON.parse reads it; positions in JSON.parse's errors stay those of the original text.
 */
function stripJsonc(text: string): string {
  const out = text.split('')
  let i = 0
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' '
  }
  while (i < text.length) {
    const c = text[i]
    if (c === '"') {
      i++
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
      i++
    } else if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i)
      const to = end < 0 ? text.length : end
      blank(i, to)
      i = to
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2)
      const to = end < 0 ? text.length : end + 2
      blank(i, to)
      i = to
    } else if (c === ',') {
      // A comma followed (past blanks and comments already blanked or still to come) by } or ].
      let k = i + 1
      while (k < text.length) {
        if (/\s/.test(text[k])) k++
        else if (text[k] === '/' && text[k + 1] === '/')
          k = text.indexOf('\n', k) < 0 ? text.length : text.indexOf('\n', k)
        else if (text[k] === '/' && text[k + 1] === '*')
          k = text.indexOf('*/', k + 2) < 0 ? text.length : text.indexOf('*/', k + 2) + 2
        else break
      }
      if (text[k] === '}' || text[k] === ']') out[i] = ' '
      i++
    } else i++
  }
  return out.join('')
}

/** Parses JSON or JSONC; throws SyntaxError like JSON.parse. */
export function parseJsonc(text: string): unknown {
  return JSON.parse(stripJsonc(text.replace(/^\uFEFF/, '')))
}
