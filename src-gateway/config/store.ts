import { isAbsolute, join, relative, resolve } from 'node:path'
import { resourcesDir } from '../paths.js'
import { type ConfigChange, diffConfigs } from './config-diff.js'
import { writeConfigFile } from './config-file.js'
import { type LoadedConfig, resolveConfig } from './load.js'
import { dropCredentialsOnNewOrigin, type Supplied } from './origin-change.js'
import type { GatewayConfig } from './schema.js'
import { referencedSecrets, sealPlainSecrets } from './secret-fields.js'
import { isGatewaySecret, type SecretStore } from './secrets.js'
import { type ConfigProblem, configProblems } from './validate.js'

export interface ConfigStoreOptions {
  /** The file the config was read from, if any. */
  configPath?: string
  dataDir?: string
  secrets: SecretStore
}

/** What applying a candidate config would do; `raw` is set when it is valid. */
export interface ConfigCheck {
  valid: boolean
  errors: ConfigProblem[]
  changes: ConfigChange[]
  raw?: GatewayConfig
  /** Plain credentials found in the candidate, bound for the secret store. */
  secrets: Map<string, string>
  /** Credentials left out because their provider moves to another origin (see origin-change.ts). */
  dropped: string[]
}

export class ConfigValidationError extends Error {
  override name = 'ConfigValidationError'
  constructor(readonly problems: ConfigProblem[]) {
    super(`config is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`)
  }
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(resolve(dir), resolve(path))
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
}

/**
 * Where admin changes are written: the file the config came from, unless that is the bundled default
 * (read-only in a packaged app, and shared by every user), in which case DATA_DIR/config.yaml, the
 * file `switchyard serve` and the desktop app read first on their next start. Without either, changes
 * live in memory only.
 */
export function configWritePath(configPath: string | undefined, dataDir: string | undefined): string | undefined {
  if (configPath && !isInside(resourcesDir, configPath)) return configPath
  return dataDir ? join(dataDir, 'config.yaml') : undefined
}

/**
 * The gateway's current configuration and the one way to change it: validate, move plain credentials
 * into the secret store, persist, then tell listeners (which rebuild providers and routes in place).
 */
export class ConfigStore {
  current: LoadedConfig
  readonly writePath: string | undefined
  readonly secrets: SecretStore
  private readonly sourcePath: string | undefined
  private listeners: ((config: LoadedConfig) => void)[] = []

  constructor(initial: LoadedConfig, opts: ConfigStoreOptions) {
    this.secrets = opts.secrets
    this.sourcePath = opts.configPath
    this.writePath = configWritePath(opts.configPath, opts.dataDir)
    // The caller resolved env refs only; `${secret:…}` needs this store's secrets.
    this.current = resolveConfig(initial.raw, initial.env, this.secrets)
  }

  onApply(listener: (config: LoadedConfig) => void): void {
    this.listeners.push(listener)
  }

  /**
   * Validates a candidate config and lists what applying it would change. Changes nothing. `supplied`
   * are the secret values and credential fields the change gives anew (see apply).
   */
  check(candidate: unknown, supplied: Supplied = { values: new Map(), fields: new Set() }): ConfigCheck {
    const errors = configProblems(candidate)
    if (errors.length > 0) return { valid: false, errors, changes: [], secrets: new Map(), dropped: [] }
    const draft = structuredClone(candidate as GatewayConfig)
    const dropped = dropCredentialsOnNewOrigin(this.current, draft, supplied, this.secrets)
    const { raw, values } = sealPlainSecrets(draft)
    const changes = diffConfigs(this.current.raw, raw)
    // A new value under an unchanged reference is still a change to that provider.
    for (const [name, value] of values) {
      if (this.secrets.get(name) === value) continue
      const [section, entry] = name.split('.')
      // Secret names are `providers.<id>.…`, `keys.<name>.key`, `server.adminToken` or `mcp.servers.<name>.…`
      // (see secret-fields.ts); `server` and `mcp` are one-value sections in a diff.
      const changeName = section === 'server' || section === 'mcp' ? section : entry
      if (!changes.some((c) => c.section === section && c.name === changeName)) {
        changes.push({ kind: 'change', section, name: changeName })
      }
    }
    return { valid: true, errors: [], changes, raw, secrets: values, dropped }
  }

  /**
   * Applies a candidate config; throws ConfigValidationError when it is invalid. `secretUpdates` sets
   * (or, with null, deletes) secret-store values along with it, e.g. a key typed into the UI.
   * `givenFields` names credential fields the change states anew though their value is unchanged (a
   * key's `${env:…}` named again), so a provider moved to another origin keeps them.
   */
  apply(
    candidate: unknown,
    secretUpdates: Map<string, string | null> = new Map(),
    givenFields: Iterable<string> = [],
  ): LoadedConfig {
    const supplied: Supplied = { values: new Map(), fields: new Set(givenFields) }
    for (const [name, value] of secretUpdates) if (value !== null) supplied.values.set(name, value)
    const checked = this.check(candidate, supplied)
    if (!checked.raw) throw new ConfigValidationError(checked.errors)
    for (const [name, value] of [...checked.secrets, ...secretUpdates]) {
      if (value === null) this.secrets.delete(name)
      else this.secrets.set(name, value)
    }
    const next = resolveConfig(checked.raw, this.current.env, this.secrets)
    if (this.writePath) writeConfigFile(this.writePath, next.raw, this.sourcePath)
    // Keys of removed providers go with them.
    const used = referencedSecrets(next.raw)
    for (const name of this.secrets.names()) if (!used.has(name) && !isGatewaySecret(name)) this.secrets.delete(name)
    this.current = next
    for (const l of this.listeners) l(next)
    return next
  }

  /** Applies a change made to a copy of the current raw config. */
  update(
    change: (draft: GatewayConfig) => void,
    secretUpdates?: Map<string, string | null>,
    givenFields?: Iterable<string>,
  ): LoadedConfig {
    const draft = structuredClone(this.current.raw)
    change(draft)
    return this.apply(draft, secretUpdates, givenFields)
  }
}
