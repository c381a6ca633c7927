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

/**
 * The credential references of a raw config that resolve to nothing. A client key among them is an
 * error: it would keep key auth on while matching no caller (or, half resolved, match a guessable
 * prefix), a silent lock-out. A provider's is a warning: its calls fail with a clear 401 until it is set.
 */
export function unresolvedRefs(raw: GatewayConfig, env: NodeJS.ProcessEnv, secrets: SecretLookup): UnresolvedRefs {
  const out: UnresolvedRefs = { errors: [], warnings: [] }
  const providerIds = Object.keys(raw.providers ?? {}).sort((a, b) => b.length - a.length)
  // Only read, never set: the fields may point into `raw` itself.
  for (const f of secretFields(raw)) {
    const value = f.get()
    if (!value || !hasRef(value)) continue
    const { missing, resolved } = resolveField(value, env, secrets, f.owns)
    // Secret names are `keys.<name or index>.key`, `providers.<id>.<field>` or the field's path.
    const key = /^keys\.(.+)\.key$/.exec(f.secretName)
    if (key) {
      const name = /^\d+$/.test(key[1]) ? (raw.keys?.[Number(key[1])]?.name ?? key[1]) : key[1]
      if (missing.length > 0) out.errors.push(`key '${name}': ${missing.join(', ')} is not set`)
      else if (resolved === '') out.errors.push(`key '${name}': ${value} is empty`)
      continue
    }
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
