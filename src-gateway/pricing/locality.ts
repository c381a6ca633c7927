import { isLoopbackHostname } from '../api/edge/host-check.js'
import type { ProviderConfig } from '../config/schema.js'
import { descriptorOf } from '../providers/registry.js'

function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHostname(new URL(url).hostname)
  } catch {
    return false
  }
}

/**
 * Whether a provider is local: its calls cost nothing unless `pricing:` names them, and Overview counts
 * them as local. The provider's `local:` setting, else its type's default (its descriptor's `locality`).
 */
export function isLocalProvider(cfg: Pick<ProviderConfig, 'type' | 'baseUrl' | 'local'>): boolean {
  if (cfg.local !== undefined) return cfg.local
  const { locality, defaultBaseUrl } = descriptorOf(cfg.type)
  return locality === 'when loopback' ? isLoopbackUrl(cfg.baseUrl ?? defaultBaseUrl) : locality === 'local'
}
