import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, extname } from 'node:path'
import { isMap, parseDocument, stringify } from 'yaml'
import { sameValue } from './config-diff.js'
import type { GatewayConfig } from './schema.js'

export type ConfigFormat = 'yaml' | 'json'

export function formatOf(path: string): ConfigFormat {
  return extname(path).toLowerCase() === '.json' ? 'json' : 'yaml'
}

/** Sections patched entry by entry, so comments on untouched entries survive an edit in the UI. */
const KEYED = new Set(['providers', 'routes', 'pricing', 'prompts'])

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
  for (const section of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = before[section]
    const now = after[section]
    if (sameValue(was, now)) continue
    if (now === undefined) doc.delete(section)
    else if (KEYED.has(section) && was && typeof was === 'object') {
      const wasEntries = was as Record<string, unknown>
      const nowEntries = now as Record<string, unknown>
      for (const name of Object.keys(wasEntries)) if (!(name in nowEntries)) doc.deleteIn([section, name])
      for (const [name, value] of Object.entries(nowEntries)) {
        if (!sameValue(wasEntries[name], value)) doc.setIn([section, name], doc.createNode(value))
      }
    } else doc.set(section, doc.createNode(now))
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
