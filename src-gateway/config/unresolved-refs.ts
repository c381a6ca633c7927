import { ConfigError, type LoadedConfig, ownSecrets, resolveRefs, type SecretLookup } from './load.js'
import type { GatewayConfig } from './schema.js'
import { hasRef, secretFields } from './secret-fields.js'

/** What a config's references lack at start: `errors` stop the start, `warnings` are printed. */
export interface UnresolvedRefs {
  errors: string[]
  warnings: string[]
}

/** The references in `value` that have no value, as written (`${env:NAME}`), and what it resolves to. */
function resolveField(
  value: string,
  env: NodeJS.ProcessEnv,
  secrets: SecretLookup,
  owns: (name: string) => boolean,
): { missing: string[]; resolved: string } {
  const missing = { env: new Set<string>(), secrets: new Set<string>() }
  // Resolved as resolveConfig does: a `${secret:…}` only to the field's own secrets.
  const resolved = resolveRefs(value, env, ownSecrets(owns, secrets), missing)
  return {
    missing: [...[...missing.env].map((n) => `\${env:${n}}`), ...[...missing.secrets].map((n) => `\${secret:${n}}`)],
    resolved,
  }
}

/** A client key whose value does not resolve here: its place in `keys:`, its name, and what is missing. */
export interface UnresolvedKey {
  index: number
  name: string
  problem: string
}

/** `keys.<name or index>.key`, the secret name of a client key (see secret-fields.ts). */
const KEY_SECRET = /^keys\.(.+)\.key$/

/**
 * The client keys of a raw config whose value resolves to nothing (or to an empty string) here. Such a
 * key keeps key auth on while matching no caller (or, half resolved, matches a guessable prefix): a
 * silent lock-out.
 */
export function unresolvedKeys(raw: GatewayConfig, env: NodeJS.ProcessEnv, secrets: SecretLookup): UnresolvedKey[] {
  const out: UnresolvedKey[] = []
  // Only read, never set: the fields may point into `raw` itself.
  for (const f of secretFields(raw)) {
    const label = KEY_SECRET.exec(f.secretName)?.[1]
    const value = f.get()
    if (label === undefined || !value || !hasRef(value)) continue
    const byName = raw.keys?.findIndex((k) => k.name === label) ?? -1
    const index = byName >= 0 ? byName : Number(label)
    const name = raw.keys?.[index]?.name ?? label
    const { missing, resolved } = resolveField(value, env, secrets, f.owns)
    if (missing.length > 0) out.push({ index, name, problem: `${missing.join(', ')} is not set` })
    else if (resolved === '') out.push({ index, name, problem: `${value} is empty` })
  }
  return out
}

/**
 * The credential references of a raw config that resolve to nothing. A client key among them is an
 * error (see unresolvedKeys). A provider's is a warning: its calls fail with a clear 401 until it is set.
 */
export function unresolvedRefs(raw: GatewayConfig, env: NodeJS.ProcessEnv, secrets: SecretLookup): UnresolvedRefs {
  const out: UnresolvedRefs = {
    errors: unresolvedKeys(raw, env, secrets).map((k) => `key '${k.name}': ${k.problem}`),
    warnings: [],
  }
  const providerIds = Object.keys(raw.providers ?? {}).sort((a, b) => b.length - a.length)
  for (const f of secretFields(raw)) {
    const value = f.get()
    if (KEY_SECRET.test(f.secretName) || !value || !hasRef(value)) continue
    const { missing } = resolveField(value, env, secrets, f.owns)
    if (missing.length === 0) continue
    const provider = providerIds.find((id) => f.secretName.startsWith(`providers.${id}.`))
    out.warnings.push(
      provider === undefined
        ? `${f.secretName}: ${missing.join(', ')} is not set`
        : `provider '${provider}': ${f.secretName.slice(`providers.${provider}.`.length)} ${missing.join(', ')} is not set; its calls fail with 401 until it is`,
    )
  }
  return out
}

/**
 * The start-up check `switchyard serve` and the desktop app share: throws a ConfigError naming every
 * client key without its value (a silent lock-out otherwise), and returns the warnings to print.
 */
export function checkRefsAtStart(config: LoadedConfig, secrets: SecretLookup, configPath: string): string[] {
  const { errors, warnings } = unresolvedRefs(config.raw, config.env, secrets)
  if (errors.length > 0) {
    throw new ConfigError(
      `cannot start: ${errors.join('; ')}. Set the variable, or remove the key from ${configPath} and create it again.`,
    )
  }
  return warnings
}
