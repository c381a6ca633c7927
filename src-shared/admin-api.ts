/**
 * Response shapes of the gateway's admin API (`/admin/v1/*`) as the renderer reads them. The gateway
 * owns the contract (DESIGN.md); shapes defined there are re-exported as types only.
 */

export interface ListPage<T> {
  items: T[]
  total: number
  nextCursor: string | null
}

// The gateway owns these shapes; type-only re-exports are erased at build time, so the renderer still
// loads no gateway code.
export type { ModelPricing } from '../src-gateway/pricing/price-book.js'
export type { LogDetail, LogItem } from '../src-gateway/store/log-queries.js'
export type { StatsBucket, StatsGroupBy, StatsResult, StatsSummary } from '../src-gateway/store/log-stats.js'

export const PROVIDER_TYPES = ['openai', 'anthropic', 'gemini', 'ollama', 'llamacpp', 'openai-compatible'] as const
export type ProviderType = (typeof PROVIDER_TYPES)[number]

/** Each type's default `baseUrl`, following its vendor SDK's convention (DESIGN.md). */
export const DEFAULT_BASE_URLS: Record<ProviderType, string> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com',
  ollama: 'http://127.0.0.1:11434',
  llamacpp: 'http://127.0.0.1:8080/v1',
  'openai-compatible': 'http://127.0.0.1:1234/v1',
}

/** From the last model listing: `error` when it failed, `unknown` before the first one. */
export type ProviderHealth = 'ok' | 'error' | 'unknown'
export type CircuitState = 'closed' | 'half-open' | 'open'

export interface ProviderItem {
  id: string
  type: ProviderType
  baseUrl: string
  hasApiKey: boolean
  /** e.g. `…a3f2`; the key itself never leaves the gateway. */
  apiKeyMasked: string | null
  /** Where the key comes from: `env`, `secret` (the gateway's secret store) or `plain` (in the file). */
  apiKeySource: string | null
  /** The variable behind an `env` key. */
  apiKeyEnv: string | null
  local: boolean
  modelCount: number
  models: string[]
  listingError: string | null
  health: ProviderHealth
  circuit: CircuitState
}

export interface ProviderInput {
  id: string
  type: ProviderType
  baseUrl?: string
  apiKey?: string
  apiKeyEnv?: string
  headers?: Record<string, string>
  models?: string[]
}

export interface ProviderTestResult {
  ok: boolean
  latencyMs: number
  models: string[]
  error: string | null
}

export interface DiscoveredServer {
  kind: string
  baseUrl: string
  /** `needs-key`: the server answers but wants an API key before it lists models. */
  status: 'ok' | 'needs-key'
  models: string[]
  configured: boolean
  suggestedId: string
  suggestedType: ProviderType
}

export type ModelItem =
  | { id: string; route: false; provider: string; model: string; contextWindow: number | null }
  | { id: string; route: true; strategy: RouteStrategy; targets: string[] }

export type RouteStrategy = 'fallback' | 'weighted' | 'least-latency' | 'cheapest'
export const ROUTE_STRATEGIES: RouteStrategy[] = ['fallback', 'weighted', 'least-latency', 'cheapest']

export interface RouteTarget {
  model: string
  weight?: number
  params?: Record<string, unknown>
}

export interface RouteItem {
  name: string
  strategy?: RouteStrategy
  targets: RouteTarget[]
}

export interface ConfigImportResult {
  valid: boolean
  /** `path` is a JSON pointer into the imported config, e.g. `/providers/x/type`. */
  errors: { path: string; message: string }[]
  changes: { kind: 'add' | 'change' | 'remove'; section: string; name: string }[]
  applied?: boolean
  /** After applying: references this machine cannot resolve yet. */
  missingEnv?: string[]
  missingSecrets?: string[]
}

export interface GatewaySettings {
  host: string | null
  port: number | null
  dataDir: string | null
  configPath: string | null
  logs: { maxAgeDays: number | null; maxDbMb: number | null; storeBodies: boolean }
  secretsPersisted: boolean
  /** Settings changed since start that take effect at the next start, e.g. `logs.maxAgeDays`. */
  restartRequired?: string[]
}
