import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, extname } from 'node:path'
import { isMap, parseDocument, stringify } from 'yaml'
import { sameValue } from './config-diff.js'
import type { GatewayConfig } from './schema.js'

export type ConfigFormat = 'yaml' | 'json'

export function formatOf(path: string): ConfigFormat {
  return extname(path).toLowerCase() === '.json' ? 'json' : 'yaml'
}

/**
 * Maps patched entry by entry, so comments on untouched entries survive an edit in the UI: top-level
 * sections, and `mcp.servers` inside its section.
 */
const KEYED = new Set(['providers', 'routes', 'pricing', 'prompts'])
const NESTED_KEYED: Record<string, Set<string>> = { mcp: new Set(['servers']) }

const HEADER = '# Switchyard configuration. Secrets are ${env:…} or ${secret:…} references, never plain text.\n'

/** Config as text. JSON is plain; YAML starts with a short header saying how secrets are kept. */
export function configText(cfg: GatewayConfig, format: ConfigFormat): string {
  return format === 'json' ? `${JSON.stringify(cfg, null, 2)}\n` : HEADER + stringify(cfg)
}

/**
 * `next` as YAML written over `baseText` (the file as it was): only the sections and entries that
 * changed are replaced, so the user's comments and layout elsewhere stay.
 */
export function patchYaml(baseText: string, next: GatewayConfig): string {
  const doc = parseDocument(baseText)
  if (doc.errors.length > 0 || (doc.contents !== null && !isMap(doc.contents))) {
    return configText(next, 'yaml')
  }
  const before = (doc.toJS() ?? {}) as Record<string, unknown>
  const after = next as Record<string, unknown>
  const isMapValue = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v)
  /** Writes `now` at `path`, entry by entry when both are maps and `keyed` says so for the path. */
  const patch = (
    path: string[],
    was: unknown,
    now: unknown,
    keyed: (key: string) => 'entries' | Set<string> | undefined,
  ) => {
    if (sameValue(was, now)) return
    if (now === undefined) return void doc.deleteIn(path)
    const how = keyed(path[path.length - 1])
    if (!how || !isMapValue(was) || !isMapValue(now)) return void doc.setIn(path, doc.createNode(now))
    for (const key of Object.keys(was)) if (!(key in now)) doc.deleteIn([...path, key])
    for (const [key, value] of Object.entries(now)) {
      const inner = how === 'entries' ? () => undefined : (k: string) => (how.has(k) ? 'entries' : undefined)
      patch([...path, key], was[key], value, inner)
    }
  }
  for (const section of new Set([...Object.keys(before), ...Object.keys(after)])) {
    patch([section], before[section], after[section], (s) => (KEYED.has(s) ? 'entries' : NESTED_KEYED[s]))
  }
  return doc.toString()
}

/** Writes `cfg` to `path` atomically (never a half-written config), owner-only, keeping YAML comments. */
export function writeConfigFile(path: string, cfg: GatewayConfig, basePath?: string): void {
  const format = formatOf(path)
  let text: string
  if (format === 'json') text = configText(cfg, 'json')
  else {
    const base = [path, basePath].find((p): p is string => !!p && existsSync(p) && formatOf(p) === 'yaml')
    text = base ? patchYaml(readFileSync(base, 'utf8'), cfg) : configText(cfg, 'yaml')
  }
  mkdirSync(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, text, { mode: 0o600 })
  renameSync(tmp, path)
}
