import type { GatewayConfig } from './schema.js'

export interface ConfigChange {
  kind: 'add' | 'change' | 'remove'
  /** Top-level section: providers, routes, pricing, prompts, keys, logs, server… */
  section: string
  /** The entry's name within the section; the section's own name for single-value sections. */
  name: string
}

/** Sections whose entries are listed one by one; the others count as one value each. */
const KEYED_SECTIONS = new Set(['providers', 'routes', 'pricing', 'prompts', 'keys', 'workspaces'])

/** Stable JSON for comparison: key order in a hand-written file is not a change. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  )
}

export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b)
}

function entries(section: string, value: unknown): Map<string, unknown> {
  if (section === 'keys' && Array.isArray(value)) {
    return new Map(value.map((k, i) => [String((k as { name?: unknown })?.name ?? i), k]))
  }
  return new Map(Object.entries((value as Record<string, unknown>) ?? {}))
}

/** What applying `after` over `before` adds, changes and removes, entry by entry where that reads better. */
export function diffConfigs(before: GatewayConfig, after: GatewayConfig): ConfigChange[] {
  const b = before as Record<string, unknown>
  const a = after as Record<string, unknown>
  const out: ConfigChange[] = []
  for (const section of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (sameValue(b[section], a[section])) continue
    if (!KEYED_SECTIONS.has(section)) {
      const kind = b[section] === undefined ? 'add' : a[section] === undefined ? 'remove' : 'change'
      out.push({ kind, section, name: section })
      continue
    }
    const was = entries(section, b[section])
    const now = entries(section, a[section])
    for (const [name, value] of now) {
      if (!was.has(name)) out.push({ kind: 'add', section, name })
      else if (!sameValue(was.get(name), value)) out.push({ kind: 'change', section, name })
    }
    for (const name of was.keys()) if (!now.has(name)) out.push({ kind: 'remove', section, name })
  }
  return out
}
