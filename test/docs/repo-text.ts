import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export const ROOT = join(import.meta.dirname, '../..')

const CODE = /\.(ts|tsx|mjs|js|sh|tpl|yaml)$/

const cache = new Map<string, Map<string, string>>()

/** The text of every source file under `dirs` (relative to the repo root), read once per set of dirs. */
export function sourceTexts(dirs: string[]): Map<string, string> {
  const key = dirs.join('|')
  let texts = cache.get(key)
  if (!texts) {
    texts = new Map()
    for (const dir of dirs) {
      for (const f of readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
        if (CODE.test(f) && !f.includes('node_modules'))
          texts.set(`${dir}/${f}`, readFileSync(join(ROOT, dir, f), 'utf8'))
      }
    }
    cache.set(key, texts)
  }
  return texts
}

/** Where Switchyard's own words are: the gateway, the desktop shell, the shared types and the scripts. */
export const GATEWAY_SOURCES = ['src-gateway', 'src-shared', 'src-main', 'scripts']
/** Every test, fixture, mock and bench file. */
export const TEST_SOURCES = ['test']

export const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** A line of a source file matches a doc line: equal once trimmed, a `${…}` placeholder standing for any text. */
export function lineMatcher(sourceLine: string): (docLine: string) => boolean {
  const trimmed = sourceLine.trim()
  if (!trimmed.includes('${')) return (docLine) => docLine === trimmed
  const pattern = trimmed
    .split(/\$\{[^}]*\}/)
    .map(escapeRegExp)
    .join('.+')
  const re = new RegExp(`^${pattern}$`)
  return (docLine) => re.test(docLine)
}
