import { isLoopbackHostname } from '../api/edge/host-check.js'
import type { ProviderConfig } from '../config/schema.js'
import { ADAPTERS } from '../providers/registry.js'
import type { ProviderType } from '../providers/types.js'

/**
 * Whether each type runs on your own hardware unless its provider says otherwise. Cloud APIs stay cloud
 * at a loopback URL (a local proxy still bills the account behind it); an OpenAI-compatible server is
 * local when it listens on loopback, as LM Studio and vLLM on this machine do, and paid elsewhere.
 */
const LOCAL_BY_TYPE: Record<ProviderType, boolean | 'when loopback'> = {
  ollama: true,
  llamacpp: true,
  'openai-compatible': 'when loopback',
  openai: false,
  anthropic: false,
  gemini: false,
}

function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHostname(new URL(url).hostname)
  } catch {
    return false
  }
}

/**
 * Whether a provider is local: its calls cost nothing unless `pricing:` names them, and Overview counts
 * them as local. The provider's `local:` setting, else its type's default.
 */
export function isLocalProvider(cfg: Pick<ProviderConfig, 'type' | 'baseUrl' | 'local'>): boolean {
  if (cfg.local !== undefined) return cfg.local
  const rule = LOCAL_BY_TYPE[cfg.type]
  return rule === 'when loopback' ? isLoopbackUrl(cfg.baseUrl ?? ADAPTERS[cfg.type].defaultBaseUrl) : rule
}
