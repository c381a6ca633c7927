import { readFileSync } from 'node:fs'
import { extname } from 'node:path'
import { parse as parseYaml } from 'yaml'
import type { GatewayConfig } from './schema.js'
import { credentialSlots, REF } from './secret-fields.js'
import { configProblems } from './validate.js'

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Where `${secret:NAME}` references are looked up (see secrets.ts). */
export interface SecretLookup {
  get(name: string): string | undefined
}

interface Missing {
  env: Set<string>
  secrets: Set<string>
}

/**
 * Replaces the `${env:NAME}` and `${secret:NAME}` references in one string. A missing one becomes ''
 * and is reported, so a provider without its key fails with a clear 401 instead of the gateway
 * refusing to start.
 */
export function resolveRefs(
  text: string,
  env: NodeJS.ProcessEnv,
  secrets: SecretLookup | undefined,
  missing: Missing = { env: new Set(), secrets: new Set() },
): string {
  return text.replace(REF, (_, kind: string, name: string) => {
    const v = kind === 'env' ? env[name] : secrets?.get(name)
    if (v === undefined) missing[kind === 'env' ? 'env' : 'secrets'].add(name)
    return v ?? ''
  })
}

/** `secrets` narrowed to a field's own: a `${secret:…}` resolves only to those (see Slot.owns). */
export function ownSecrets(owns: (name: string) => boolean, secrets: SecretLookup): SecretLookup {
  return { get: (name) => (owns(name) ? secrets.get(name) : undefined) }
}

export interface LoadedConfig {
  /** The config as written (with `${env:…}` references intact): what export and the UI may see. */
  raw: GatewayConfig
  /**
   * The config with its credential fields resolved (see secret-fields.ts); everything else is as in
   * `raw`. Only the gateway's outbound calls and its auth checks use those fields.
   */
  resolved: GatewayConfig
  missingEnv: string[]
  /** `${secret:NAME}` references the secret store had no value for. */
  missingSecrets: string[]
  /** The environment `${env:…}` references were resolved against, so a live change resolves them alike. */
  env: NodeJS.ProcessEnv
}

/** Resolves a valid raw config's references. */
export function resolveConfig(raw: GatewayConfig, env: NodeJS.ProcessEnv, secrets?: SecretLookup): LoadedConfig {
  const missing: Missing = { env: new Set(), secrets: new Set() }
  const resolved = structuredClone(raw)
  for (const slot of credentialSlots(resolved)) {
    const v = slot.get()
    if (!v?.includes('${')) continue
    slot.set(resolveRefs(v, env, secrets && ownSecrets(slot.owns, secrets), missing))
  }
  return { raw, resolved, missingEnv: [...missing.env], missingSecrets: [...missing.secrets], env }
}

/** Parses YAML or JSON config text into plain data, without validating it. */
export function parseConfigText(text: string, format: 'yaml' | 'json'): unknown {
  try {
    return (format === 'json' ? JSON.parse(text) : parseYaml(text)) ?? {}
  } catch (err) {
    throw new ConfigError(`config is not valid ${format.toUpperCase()}: ${(err as Error).message}`)
  }
}

export function parseConfig(
  text: string,
  format: 'yaml' | 'json',
  env: NodeJS.ProcessEnv = process.env,
  secrets?: SecretLookup,
): LoadedConfig {
  const data = parseConfigText(text, format)
  const problems = configProblems(data)
  if (problems.length > 0) {
    const list = problems
      .slice(0, 5)
      .map((p) => `${p.path}: ${p.message}`)
      .join('; ')
    throw new ConfigError(`config is invalid: ${list}`)
  }
  return resolveConfig(data as GatewayConfig, env, secrets)
}

export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new ConfigError(
      `cannot read config ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    )
  }
  return parseConfig(text, extname(path).toLowerCase() === '.json' ? 'json' : 'yaml', env)
}
