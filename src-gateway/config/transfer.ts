import { isPlainObject } from '../core/json-values.js'
import {
  exportPrompts,
  importPrompts,
  type PromptImport,
  planPromptImport,
  promptsSectionProblems,
} from '../prompts/config-import.js'
import type { PromptStore } from '../prompts/prompt-store.js'
import type { ConfigChange } from './config-diff.js'
import { type ConfigFormat, configText } from './config-file.js'
import { ConfigError, parseConfigText } from './load.js'
import type { GatewayConfig } from './schema.js'
import { exportableConfig } from './secret-fields.js'
import type { ConfigStore } from './store.js'
import { unresolvedKeys } from './unresolved-refs.js'
import type { ConfigProblem } from './validate.js'
import { workspaceIds } from './workspaces.js'

// Export and import of the whole setup as one file, shared by the admin API and `switchyard export|import`.

export interface ExportOptions {
  format: ConfigFormat
  secrets: 'refs' | 'omit'
  /** The prompt library whose latest versions go into a `prompts:` section; none leaves them out. */
  prompts?: PromptStore
}

/** The exported file's text: the config with credentials as references (or left out), and prompts on request. */
export async function exportText(raw: GatewayConfig, opts: ExportOptions): Promise<string> {
  const config = exportableConfig(raw, opts.secrets)
  if (opts.prompts) config.prompts = await exportPrompts(opts.prompts)
  return configText(config, opts.format)
}

/** JSON when the text looks like it; YAML otherwise (YAML also reads most JSON). */
export const sniffFormat = (text: string): ConfigFormat => (/^\s*[{[]/.test(text) ? 'json' : 'yaml')

export interface ImportResult {
  valid: boolean
  errors: ConfigProblem[]
  changes: ConfigChange[]
  /** Keys of providers the file points elsewhere: not carried along, the admin gives them again. */
  droppedCredentials?: string[]
  /** Client keys left out because their value does not resolve on this machine (see importConfig). */
  droppedKeys?: { name: string; problem: string }[]
  /** What the file's `prompts:` section does to the prompt library; only when it has one. */
  prompts?: PromptImport
  applied: boolean
  /** References the imported file makes that this machine cannot resolve (yet); when applied. */
  missingEnv?: string[]
  missingSecrets?: string[]
}

/**
 * Parses an import's text; a file that is not YAML or JSON at all is an invalid import, not an error, and
 * so is an empty one (YAML reads it as an empty config, which would remove every provider and route).
 */
export function parseImportText(text: string, format: ConfigFormat): { data: unknown } | ImportResult {
  if (text.trim() === '') {
    return { valid: false, errors: [{ path: '/', message: 'the file is empty' }], changes: [], applied: false }
  }
  try {
    return { data: parseConfigText(text, format) }
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    return { valid: false, errors: [{ path: '/', message: err.message }], changes: [], applied: false }
  }
}

/**
 * Previews an imported file's data against the current config and prompt library, or, with `apply`,
 * runs `beforeImport` (a backup) and applies it. Its `prompts:` section goes into the library (a new
 * version for each new or changed prompt); the config keeps its own `prompts:` section, which seeds the
 * library at start.
 */
export async function importConfig(
  store: ConfigStore,
  library: PromptStore,
  data: unknown,
  opts: { apply: boolean; beforeImport?: () => unknown },
): Promise<ImportResult> {
  const { prompts: section, ...config } = isPlainObject(data) ? data : { prompts: undefined }
  const own = store.current.raw.prompts
  let candidate = isPlainObject(data) ? { ...config, ...(own !== undefined && { prompts: own }) } : data
  let check = store.check(candidate)
  // A key made in another gateway's UI is exported as a reference to that gateway's secret store. Taken in,
  // it would turn key auth on while matching no caller, and stop the next start: it is left out and named.
  const lost = check.valid ? unresolvedKeys(candidate as GatewayConfig, store.current.env, store.secrets) : []
  if (lost.length > 0) {
    const gone = new Set(lost.map((k) => k.index))
    const { keys, ...rest } = candidate as GatewayConfig
    const kept = keys?.filter((_, i) => !gone.has(i)) ?? []
    candidate = kept.length > 0 ? { ...rest, keys: kept } : rest
    check = store.check(candidate)
  }
  // The file's prompts go into the workspaces of the config it brings.
  const workspaces = workspaceIds(isPlainObject(candidate) ? (candidate as GatewayConfig) : {})
  const errors = [...check.errors, ...promptsSectionProblems(section, workspaces)]
  const dropped = {
    ...(check.dropped.length > 0 && { droppedCredentials: check.dropped }),
    ...(lost.length > 0 && { droppedKeys: lost.map(({ name, problem }) => ({ name, problem })) }),
  }
  const hasPrompts = section !== undefined && section !== null
  if (errors.length > 0) return { valid: false, errors, changes: check.changes, ...dropped, applied: false }
  if (!opts.apply) {
    const prompts = hasPrompts ? { prompts: await planPromptImport(library, section) } : {}
    return { valid: true, errors: [], changes: check.changes, ...dropped, ...prompts, applied: false }
  }
  await opts.beforeImport?.()
  // Prompts first: they are checked already and written in one transaction, before the config changes.
  const prompts = hasPrompts ? { prompts: await importPrompts(library, section) } : {}
  const loaded = store.apply(candidate)
  return {
    valid: true,
    errors: [],
    changes: check.changes,
    ...dropped,
    ...prompts,
    applied: true,
    missingEnv: loaded.missingEnv,
    missingSecrets: loaded.missingSecrets,
  }
}
