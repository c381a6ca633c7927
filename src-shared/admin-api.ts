/**
 * Response shapes of the gateway's admin API (`/admin/v1/*`) as the renderer reads them. The gateway
 * owns the contract (DESIGN.md); these types mirror it so the UI does not import gateway code.
 */

export interface ListPage<T> {
  items: T[]
  total: number
  nextCursor: string | null
}

export interface LogItem {
  id: number
  createdAt: string
  requestId: string
  inboundApi: string
  route: string | null
  provider: string | null
  model: string | null
  requestedModel: string | null
  keyName: string | null
  status: number
  error: string | null
  latencyMs: number
  ttftMs: number | null
  inputTokens: number | null
  outputTokens: number | null
  cachedTokens: number | null
  cacheWriteTokens: number | null
  reasoningTokens: number | null
  isEstimated: boolean
  costUsd: number | null
  isStream: boolean
  attempts: number
  isCacheHit: boolean
  /** Served by a target other than the first one planned. */
  isFallback: boolean
  /** The tries that failed before the call was served or gave up. */
  attemptFailures: { provider: string; model: string; status?: number; error: string }[]
  promptName: string | null
  promptVersion: number | null
  promptArm: string | null
}

export interface LogDetail extends LogItem {
  /** Parsed JSON where the stored body is JSON, else its text; null when no body was stored. */
  requestBody: unknown
  responseBody: unknown
  isBodyTruncated: boolean
}

export type StatsBucket = 'hour' | 'day'
export type StatsGroupBy = 'model' | 'provider' | 'key'

export interface Percentiles {
  p50: number | null
  p95: number | null
}

export interface StatsSummary {
  requests: number
  errors: number
  inputTokens: number
  outputTokens: number
  costUsd: number
  latencyMs: Percentiles
  ttftMs: Percentiles
}

export interface StatsResult {
  from: string
  to: string
  bucket: StatsBucket
  groupBy: StatsGroupBy | null
  totals: StatsSummary
  groups: ({ group: string | null } & StatsSummary)[]
  /** Buckets without rows are absent. */
  series: ({ bucket: string; group: string | null } & StatsSummary)[]
  db: { sizeBytes: number; usedBytes: number; rows: number }
}

export interface ModelPricing {
  model: string
  provider: string | null
  source: 'config' | 'local' | 'genai-prices'
  inputPerMtokUsd: number
  outputPerMtokUsd: number
  cachedInputPerMtokUsd: number | null
  cacheWritePerMtokUsd: number | null
  isTiered: boolean
  contextWindow: number | null
}

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
