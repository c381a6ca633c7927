/**
 * Response shapes of the gateway's admin API (`/admin/v1/*`) as the renderer reads them. The contract
 * (src-shared/contract/, one module per resource) states them as TypeBox schemas the gateway validates with;
 * shapes not moved there yet are re-exported from the gateway as types only.
 */

import type { TrafficAnomaly } from './contract/alerts.js'
import type { BudgetPeriod, KeyInput, KeyUpdateBody, OnExceed } from './contract/keys.js'
import type { RouteStrategy } from './contract/routes.js'

export type { AlertItem, AlertKind, TrafficAnomaly } from './contract/alerts.js'
export type { AuditChange, AuditEntry } from './contract/audit.js'
export type { BackupItem, BackupReason, RestorePreview, RestoreResult } from './contract/backups.js'
export type { CacheStatus } from './contract/cache.js'
export type { ListPage } from './contract/common.js'
export type { DiscoveredServer } from './contract/discovery.js'
export type { BudgetPeriod, KeyInput, OnExceed } from './contract/keys.js'
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
export type {
  CircuitState,
  ProviderHealth,
  ProviderInput,
  ProviderItem,
  ProviderTestResult,
  ProviderTypeSettings,
  ProviderUpdate,
} from './contract/providers.js'
export type { RouteItem, RouteStrategy, RouteTarget, RouteUpdateBody } from './contract/routes.js'
export type { GatewaySettings, SettingsBody } from './contract/settings.js'
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

/** PUT /admin/v1/keys/:name: the settings to change; `null` removes one, one left out stays as it is. */
export type KeyUpdate = { name: string } & Omit<KeyUpdateBody, 'name'>

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
