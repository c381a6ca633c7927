import type { GatewayConfig, ProviderConfig } from '../config/schema.js'
import { CLOUD_TIMEOUTS, LOCAL_TIMEOUTS, type Timeouts, withTimeouts } from '../core/upstream.js'
import { ADAPTERS } from '../providers/registry.js'
import type { ProviderAdapter, ProviderContext } from '../providers/types.js'

/** A configured provider, ready to call: its adapter, resolved secrets and effective timeouts. */
export interface RuntimeProvider {
  id: string
  adapter: ProviderAdapter
  ctx: ProviderContext
  timeouts: Timeouts
  /** Models named in config (`models:`), offered even when the upstream cannot list them. */
  configuredModels: string[]
  maxConnections?: number
}

function trimSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url
}

export function buildProvider(id: string, cfg: ProviderConfig): RuntimeProvider {
  const adapter = ADAPTERS[cfg.type]
  const defaults = adapter.local ? LOCAL_TIMEOUTS : CLOUD_TIMEOUTS
  return {
    id,
    adapter,
    ctx: {
      baseUrl: trimSlash(cfg.baseUrl ?? adapter.defaultBaseUrl),
      apiKey: cfg.apiKey || undefined,
      headers: cfg.headers,
    },
    timeouts: withTimeouts(defaults, cfg.timeouts),
    configuredModels: cfg.models ?? [],
    maxConnections: cfg.maxConnections,
  }
}

export function buildProviders(config: GatewayConfig): Map<string, RuntimeProvider> {
  const out = new Map<string, RuntimeProvider>()
  for (const [id, cfg] of Object.entries(config.providers ?? {})) out.set(id, buildProvider(id, cfg))
  return out
}
