import type { PromptMessage, Variables } from './types.js'

// The one variable syntax every view uses: `{{name}}`, with letters, digits, `_` and `.` (dotted names
// reach into nested values), spaces inside the braces allowed.
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g

/** Variable names used in the texts, each once, in order of first appearance. */
export function findVariables(texts: readonly string[]): string[] {
  const seen = new Set<string>()
  for (const text of texts) for (const m of text.matchAll(PLACEHOLDER)) seen.add(m[1])
  return [...seen]
}

/** A variable's value: an exact key first (CSV columns may contain dots), else a dotted path. */
function lookup(vars: Variables, name: string): unknown {
  if (Object.hasOwn(vars, name)) return vars[name]
  let value: unknown = vars
  for (const part of name.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return value
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** Replaces placeholders in one text; names with no value are collected in `missing` and left as written. */
export function renderText(text: string, vars: Variables, missing: Set<string> = new Set()): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = lookup(vars, name)
    if (value === undefined || value === null) {
      missing.add(name)
      return whole
    }
    return asText(value)
  })
}

/** Renders every message; `missing` lists the variables that had no value (the render is then unusable). */
export function renderMessages(
  messages: readonly PromptMessage[],
  vars: Variables,
): { messages: PromptMessage[]; missing: string[] } {
  const missing = new Set<string>()
  const rendered = messages.map((m) => ({ role: m.role, content: renderText(m.content, vars, missing) }))
  return { messages: rendered, missing: [...missing] }
}
