import { ownSecrets, resolveRefs, type SecretLookup } from '../config/load.js'
import type { McpServerConfig } from '../config/schema.js'
import { mcpServerSlots } from '../config/secret-fields.js'

/**
 * A server config with the references in its credential fields (env values, header values, URL) resolved,
 * as the config store resolves saved ones. A `${secret:…}` resolves only to that server's own secrets
 * (`mcp.servers.NAME.…`), so a config under test cannot send another server's or a provider's key anywhere.
 */
export function resolveMcpServer(
  name: string,
  cfg: McpServerConfig,
  env: NodeJS.ProcessEnv,
  secrets: SecretLookup,
): McpServerConfig {
  const out = structuredClone(cfg)
  for (const slot of mcpServerSlots(name, out, true)) {
    const v = slot.get()
    if (v?.includes('${')) slot.set(resolveRefs(v, env, ownSecrets(slot.owns, secrets)))
  }
  return out
}

/** The secret values a resolved server config holds: what its errors and stderr must never show. */
export function secretValuesOf(name: string, resolved: McpServerConfig): string[] {
  return mcpServerSlots(name, structuredClone(resolved), false)
    .map((f) => f.get())
    .filter((v): v is string => typeof v === 'string' && v !== '')
}
