import { readFileSync } from 'node:fs'
import { extname } from 'node:path'
import { Compile } from 'typebox/compile'
import { parse as parseYaml } from 'yaml'
import { ConfigSchema, type GatewayConfig } from './schema.js'

export class ConfigError extends Error {
  override name = 'ConfigError'
}

const validator = Compile(ConfigSchema)

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g

/**
 * Replaces `${env:NAME}` references in every string of the config. Secrets stay out of the file;
 * a missing variable becomes '' and is reported, so a provider without its key fails with a clear
 * 401 instead of the gateway refusing to start.
 */
export function resolveEnvRefs<T>(value: T, env: NodeJS.ProcessEnv, missing: Set<string>): T {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (_, name: string) => {
      const v = env[name]
      if (v === undefined) missing.add(name)
      return v ?? ''
    }) as T
  }
  if (Array.isArray(value)) return value.map((v) => resolveEnvRefs(v, env, missing)) as T
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = resolveEnvRefs(v, env, missing)
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
}

export function parseConfig(text: string, format: 'yaml' | 'json', env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let data: unknown
  try {
    data = format === 'json' ? JSON.parse(text) : parseYaml(text)
  } catch (err) {
    throw new ConfigError(`config is not valid ${format.toUpperCase()}: ${(err as Error).message}`)
  }
  data ??= {}
  if (!validator.Check(data)) {
    const problems = [...validator.Errors(data)]
      .slice(0, 5)
      .map((e) => `${e.instancePath || '/'}: ${e.message}`)
      .join('; ')
    throw new ConfigError(`config is invalid: ${problems}`)
  }
  const raw = data as GatewayConfig
  const missing = new Set<string>()
  const resolved = resolveEnvRefs(raw, env, missing)
  return { raw, resolved, missingEnv: [...missing] }
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
