/**
 * Response shapes of the gateway's admin API (`/admin/v1/*`) as the renderer reads them. The contract
 * (src-shared/contract/, one module per resource) states them as TypeBox schemas the gateway validates with;
 * shapes not moved there yet are re-exported from the gateway as types only.
 */

import type { RouteStrategy } from './contract/routes.js'

export type { AlertItem, AlertKind, TrafficAnomaly } from './contract/alerts.js'
export type { AuditChange, AuditEntry } from './contract/audit.js'
export type { BackupItem, BackupReason, RestorePreview, RestoreResult } from './contract/backups.js'
export type { CacheStatus } from './contract/cache.js'
export type { ListPage } from './contract/common.js'
export type { ConfigImportPrompts, ConfigImportResult } from './contract/config-transfer.js'
export type { DiscoveredServer } from './contract/discovery.js'
export type { BudgetPeriod, KeyInput, KeyItem, KeyUpdate, KeyWithSecret, OnExceed } from './contract/keys.js'
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
  McpActivity,
  OverviewResult,
  RedactionCount,
  SpendGroup,
  StatsBucket,
  StatsGroupBy,
  StatsResult,
  StatsSummary,
} from './contract/stats.js'
export type { WorkspaceItem } from './contract/workspaces.js'

/**
 * A provider's `type:`. The gateway's provider registry is the list; the UI reads it, with each type's
 * defaults, from GET /admin/v1/provider-types (contract/provider-types.ts).
 */
export type ProviderType = string

export const ROUTE_STRATEGIES: RouteStrategy[] = ['fallback', 'weighted', 'least-latency', 'cheapest']
