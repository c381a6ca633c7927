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

/** The provider's values of the settings its type declares (the schema has validated them). */
function typeSettings(cfg: ProviderConfig, adapter: ProviderAdapter): Record<string, unknown> | undefined {
  const names = Object.keys(adapter.descriptor.settings ?? {})
  if (names.length === 0) return undefined
  const raw = cfg as Record<string, unknown>
  return Object.fromEntries(names.filter((n) => raw[n] !== undefined).map((n) => [n, raw[n]]))
}

export function buildProvider(id: string, cfg: ProviderConfig): RuntimeProvider {
  const adapter = ADAPTERS[cfg.type]
  // A type that may run on your own hardware gets the local timeouts (see LOCAL_TIMEOUTS).
  const defaults = adapter.descriptor.locality === 'cloud' ? CLOUD_TIMEOUTS : LOCAL_TIMEOUTS
  return {
    id,
    adapter,
    ctx: {
      baseUrl: trimSlash(cfg.baseUrl ?? adapter.descriptor.defaultBaseUrl),
      apiKey: cfg.apiKey || undefined,
      headers: cfg.headers,
      settings: typeSettings(cfg, adapter),
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
