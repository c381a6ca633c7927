// The same placeholder syntax the gateway renders (src-gateway/prompts/template.ts): `{{name}}` with
// letters, digits, `_` and `.`, spaces inside the braces allowed. Every view finds variables through here.
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g

/** Variable names used in the texts, each once, in order of first appearance. */
export function findVariables(texts: readonly string[]): string[] {
  const seen = new Set<string>()
  for (const text of texts) for (const m of text.matchAll(PLACEHOLDER)) seen.add(m[1])
  return [...seen]
}

/** The text split into plain runs and placeholders, for highlighting. */
export function splitPlaceholders(text: string): { text: string; variable: string | null }[] {
  const out: { text: string; variable: string | null }[] = []
  let last = 0
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (m.index > last) out.push({ text: text.slice(last, m.index), variable: null })
    out.push({ text: m[0], variable: m[1] })
    last = m.index + m[0].length
  }
  if (last < text.length) out.push({ text: text.slice(last), variable: null })
  return out
}
