import { descriptorOf } from '../providers/registry.js'
import type { LoadedConfig, SecretLookup } from './load.js'
import { resolveRefs } from './load.js'
import type { GatewayConfig, ProviderConfig } from './schema.js'
import { mcpServerSlots, providerSecretFields, type SecretField, secretNamesIn } from './secret-fields.js'

/** The scheme, host and port a provider's calls go to, or null when its URL does not parse. */
function originOf(p: ProviderConfig, resolveUrl: (url: string) => string): string | null {
  try {
    return new URL(resolveUrl(p.baseUrl ?? descriptorOf(p.type).defaultBaseUrl)).origin
  } catch {
    return null
  }
}

/** What a config change gives anew: secret values by name, and credential fields by secret name. */
export interface Supplied {
  values: Map<string, string>
  fields: Set<string>
}

/**
 * Removes, in place, the credentials a changed provider would carry to a new origin. Pointing a provider
 * at another host while keeping its key is how a page that reached the admin API (or an imported file)
 * would send the key to itself, so a provider whose origin changes keeps a credential only when the same
 * change supplies it: a value different from the one in force, a new value for the secret it names
 * (the key typed in the same request), or the field stated anew (`supplied.fields`). Remote MCP servers'
 * headers are kept the same way. Returns the secret names of the fields it removed.
 */
export function dropCredentialsOnNewOrigin(
  current: LoadedConfig,
  candidate: GatewayConfig,
  supplied: Supplied,
  secrets: SecretLookup,
): string[] {
  const dropped: string[] = []
  const lookup = { get: (name: string) => supplied.values.get(name) ?? secrets.get(name) }
  for (const [id, next] of Object.entries(candidate.providers ?? {})) {
    const before = current.raw.providers?.[id]
    const resolvedBefore = current.resolved.providers?.[id]
    if (!before || !resolvedBefore) continue
    const from = originOf(resolvedBefore, (u) => u)
    const to = originOf(next, (u) => resolveRefs(u, current.env, lookup))
    if (from !== null && from === to) continue
    dropped.push(
      ...dropKept(providerSecretFields(id, structuredClone(before)), providerSecretFields(id, next), supplied),
    )
  }
  // A remote MCP server's headers (its token) likewise stay behind when its URL moves to another origin.
  for (const [name, next] of Object.entries(candidate.mcp?.servers ?? {})) {
    const before = current.raw.mcp?.servers?.[name]
    const resolvedBefore = current.resolved.mcp?.servers?.[name]
    if (before?.url === undefined || resolvedBefore?.url === undefined || next.url === undefined) continue
    const from = urlOrigin(resolvedBefore.url)
    if (from !== null && from === urlOrigin(resolveRefs(next.url, current.env, lookup))) continue
    dropped.push(
      ...dropKept(mcpServerSlots(name, structuredClone(before), false), mcpServerSlots(name, next, false), supplied),
    )
  }
  return dropped
}

function urlOrigin(url: string): string | null {
  try {
    return new URL(url).origin
  } catch {
    return null
  }
}

/** Removes from `next` the credentials kept unchanged from `before` that the change does not supply anew. */
function dropKept(before: SecretField[], next: SecretField[], supplied: Supplied): string[] {
  const kept = new Map(before.map((f) => [f.secretName, f.get()]))
  const dropped: string[] = []
  for (const f of next) {
    const value = f.get()
    if (value === undefined || value !== kept.get(f.secretName) || supplied.fields.has(f.secretName)) continue
    if (secretNamesIn(value).some((n) => supplied.values.has(n))) continue
    f.remove()
    dropped.push(f.secretName)
  }
  return dropped
}
