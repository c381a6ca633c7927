/**
 * Response shapes of the gateway's admin API (`/admin/v1/*`) as the renderer reads them. The contract
 * (src-shared/contract/, one module per resource) states them as TypeBox schemas the gateway validates with;
 * shapes not moved there yet are re-exported from the gateway as types only.
 */

import type { TrafficAnomaly } from './contract/alerts.js'
import type { CacheOverride, RedactionOverride } from './contract/policies.js'
import type { RouteStrategy } from './contract/routes.js'

export type { AlertItem, AlertKind, TrafficAnomaly } from './contract/alerts.js'
export type { AuditChange, AuditEntry } from './contract/audit.js'
export type { BackupItem, BackupReason, RestorePreview, RestoreResult } from './contract/backups.js'
export type { CacheStatus } from './contract/cache.js'
export type { ListPage } from './contract/common.js'
export type { DiscoveredServer } from './contract/discovery.js'
export type { GuardrailHit, LogDetail, LogItem, LogPage } from './contract/logs.js'
export type { ModelItem } from './contract/models.js'
export type {
  CacheConfig,
  PolicyDefaults,
  PolicyOverride,
  PolicySection,
  PolicyView,
  RedactedSpan,
  RedactionConfig,
  RedactionPreview,
} from './contract/policies.js'
export type { ModelPricing } from './contract/pricing.js'
export type { RouteItem, RouteStrategy, RouteTarget } from './contract/routes.js'
export type {
  GuardrailCount,
  OverviewResult,
  RedactionCount,
  StatsBucket,
  StatsGroupBy,
  StatsResult,
  StatsSummary,
} from './contract/stats.js'

/**
 * A provider's `type:`. The gateway's provider registry is the list; the UI reads it, with each type's
 * defaults, from GET /admin/v1/provider-types (contract/provider-types.ts).
 */
export type ProviderType = string

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
  /** Each header's value masked; sending a masked value back on a change keeps the header as it is. */
  headers: Record<string, string>
  /** The config's own `models:` list (for bare-name addressing when the upstream cannot list them). */
  configuredModels: string[]
  /** Free and counted as local: its `local:` setting, else its type's default (see docs/configuration.md, "Costs and the pricing section"). */
  local: boolean
  /** The provider's own `local:` setting; null when its type's default applies. */
  localSetting: boolean | null
  modelCount: number
  models: string[]
  listingError: string | null
  health: ProviderHealth
  circuit: CircuitState
}

/**
 * POST /admin/v1/providers, and PUT /admin/v1/providers/:id without `id`: on a change, a field left out stays
 * as it is and `null` removes it (a null `baseUrl` goes back to the type's default).
 */
export interface ProviderInput {
  id: string
  type: ProviderType
  baseUrl?: string | null
  apiKey?: string | null
  apiKeyEnv?: string
  headers?: Record<string, string> | null
  models?: string[] | null
  /**
   * Free and counted as local. null: the type's default (ollama, llamacpp, and openai-compatible at a
   * loopback URL are local); omitted on a change: the current setting stays.
   */
  local?: boolean | null
}

export interface ProviderTestResult {
  ok: boolean
  latencyMs: number
  models: string[]
  error: string | null
}

export const ROUTE_STRATEGIES: RouteStrategy[] = ['fallback', 'weighted', 'least-latency', 'cheapest']

/** Prompt names by what an import does to them: a new prompt, a new version of one, or nothing. */
export interface ConfigImportPrompts {
  created: string[]
  updated: string[]
  unchanged: string[]
}

export interface ConfigImportResult {
  valid: boolean
  /** `path` is a JSON pointer into the imported config, e.g. `/providers/x/type`. */
  errors: { path: string; message: string }[]
  changes: { kind: 'add' | 'change' | 'remove'; section: string; name: string }[]
  /** Keys of providers the file points elsewhere: not carried along, the admin gives them again. */
  droppedCredentials?: string[]
  /**
   * Client keys left out: their value does not resolve on this machine (a key made in another gateway's UI
   * keeps its value in that gateway's secret store).
   */
  droppedKeys?: { name: string; problem: string }[]
  /** What the file's `prompts:` section does (preview) or did (applied) to the prompt library; only when it has one. */
  prompts?: ConfigImportPrompts
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
  /** `encryptBodies`: whether stored bodies are sealed, as the gateway runs (set in the config; read at start). */
  logs: { maxAgeDays: number | null; maxDbMb: number | null; storeBodies: boolean; encryptBodies?: boolean }
  secretsPersisted: boolean
  /** Where keys entered in the UI are kept (see SecretStore.kind in src-gateway/config/secrets.ts). */
  secretStore: 'os-keychain' | 'encrypted-file' | 'memory'
  /** Settings changed since start that take effect at the next start, e.g. `logs.maxAgeDays`. */
  restartRequired?: string[]
}

export type BudgetPeriod = 'day' | 'week' | 'month' | 'total'
/** `block` answers 429 once the budget is spent; `downgrade:<provider/model>` serves the call with that model. */
export type OnExceed = 'block' | `downgrade:${string}`

/** The settable fields of a virtual key (POST and PUT /admin/v1/keys); the secret is generated by the gateway. */
export interface KeyInput {
  name: string
  models?: string[]
  limits?: { rpm?: number; tpm?: number; perUserRpm?: number }
  budget?: { usd: number; period: BudgetPeriod; onExceed?: OnExceed }
  tags?: string[]
  expiresAt?: string
  /** Overrides of the gateway's (and route's) redaction and cache for this key's calls. */
  redaction?: RedactionOverride
  cache?: CacheOverride
  metadata?: Record<string, unknown>
}

/** PUT /admin/v1/keys/:name: the settings to change; `null` removes one, one left out stays as it is. */
export type KeyUpdate = Pick<KeyInput, 'name'> & { [F in Exclude<keyof KeyInput, 'name'>]?: KeyInput[F] | null }

/** One key from GET /admin/v1/keys: `key` is a masked hint (`sy-a…f2`), or null when its secret did not resolve. */
export interface KeyItem extends Omit<KeyInput, 'budget'> {
  key: string | null
  budget?: {
    usd: number
    period: BudgetPeriod
    onExceed: OnExceed
    spentUsd?: number
    percentUsed?: number
    /** The highest alert threshold the period's spend has reached: 50, 80 or 100 (0 below 50%). */
    alertLevel?: 0 | 50 | 80 | 100
    /** The current period, UTC: `total` starts at the epoch and has no end. */
    periodStart?: string
    periodEnd?: string | null
  }
  /** Set while the key's requests in the traffic window far exceed its norm. */
  trafficAnomaly?: TrafficAnomaly | null
}

/** POST /admin/v1/keys and POST /admin/v1/keys/:name/rotate: the key with its full secret, shown once. */
export interface KeyWithSecret extends KeyItem {
  key: string
}
