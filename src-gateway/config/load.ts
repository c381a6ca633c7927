import { readFileSync } from 'node:fs'
import { extname } from 'node:path'
import { parse as parseYaml } from 'yaml'
import type { GatewayConfig } from './schema.js'
import { configProblems } from './validate.js'

export class ConfigError extends Error {
  override name = 'ConfigError'
}

const REF = /\$\{(env|secret):([A-Za-z0-9_.-]+)\}/g

/** Where `${secret:NAME}` references are looked up (see secrets.ts). */
export interface SecretLookup {
  get(name: string): string | undefined
}

interface Missing {
  env: Set<string>
  secrets: Set<string>
}

/**
 * Replaces `${env:NAME}` and `${secret:NAME}` references in every string of the config. Secrets stay
 * out of the file; a missing one becomes '' and is reported, so a provider without its key fails with
 * a clear 401 instead of the gateway refusing to start.
 */
function resolveRefs<T>(value: T, env: NodeJS.ProcessEnv, secrets: SecretLookup | undefined, missing: Missing): T {
  if (typeof value === 'string') {
    return value.replace(REF, (_, kind: string, name: string) => {
      const v = kind === 'env' ? env[name] : secrets?.get(name)
      if (v === undefined) missing[kind === 'env' ? 'env' : 'secrets'].add(name)
      return v ?? ''
    }) as T
  }
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, env, secrets, missing)) as T
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = resolveRefs(v, env, secrets, missing)
    return out as T
  }
  return value
}

export interface LoadedConfig {
  /** The config as written (with `${env:…}` references intact): what export and the UI may see. */
  raw: GatewayConfig
  /** The config with secrets resolved: only the gateway's outbound calls use it. */
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
  const resolved = resolveRefs(raw, env, secrets, missing)
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
