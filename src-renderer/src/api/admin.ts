import type {
  ConfigImportResult,
  GatewaySettings,
  LogDetail,
  LogPage,
  ModelItem,
  ModelPricing,
  ProviderInput,
  ProviderItem,
  ProviderTestResult,
  ProviderUpdate,
  RouteItem,
  RouteUpdateBody,
  SettingsBody,
  StatsResult,
} from '../../../src-shared/admin-api'
import type { ConfigImportText } from '../../../src-shared/contract/config-transfer'
import type { DiscoveryAnswer } from '../../../src-shared/contract/discovery'
import type { LogFilterQuery } from '../../../src-shared/contract/logs'
import type { StatsRequestQuery } from '../../../src-shared/contract/stats'
import { downloadWithProgress, getJson, getText, query, sendJson } from './client'

/** The Logs page's filters, as GET /admin/v1/logs and /logs/export take them. */
export type LogQuery = LogFilterQuery

/** The local-server scan as the UI reads it: what it found, when it last ran (null: never), whether it runs at start. */
export type DiscoveryView = Pick<DiscoveryAnswer, 'items' | 'scannedAt' | 'scanOnStart'>

const enc = encodeURIComponent

export const adminApi = {
  /** `after`: only rows newer than that id (a live view's top row). */
  logs: (filter: LogQuery, opts: { limit?: number; cursor?: string | null; after?: number } = {}) =>
    getJson<LogPage>(
      `/admin/v1/logs${query({ ...filter, limit: opts.limit, cursor: opts.cursor, after: opts.after })}`,
    ),
  log: (id: number, signal?: AbortSignal) => getJson<LogDetail>(`/admin/v1/logs/${enc(String(id))}`, signal),
  /** Saves the filtered rows under the gateway's file name; `onChunk` sees the bytes as they arrive. */
  exportLogs: (filter: LogQuery, format: 'jsonl' | 'csv', onChunk: (chunk: Uint8Array) => void, signal?: AbortSignal) =>
    downloadWithProgress(`/admin/v1/logs/export${query({ ...filter, format })}`, onChunk, signal),
  stats: (p: StatsRequestQuery) => getJson<StatsResult>(`/admin/v1/stats${query(p)}`),
  pricing: (model: string) => getJson<ModelPricing>(`/admin/v1/pricing${query({ model })}`),

  providers: (signal?: AbortSignal) => getJson<{ items: ProviderItem[] }>('/admin/v1/providers', signal),
  createProvider: (p: ProviderInput) => sendJson<ProviderItem>('POST', '/admin/v1/providers', p),
  updateProvider: (id: string, p: ProviderUpdate) => sendJson<ProviderItem>('PUT', `/admin/v1/providers/${enc(id)}`, p),
  deleteProvider: (id: string) => sendJson<unknown>('DELETE', `/admin/v1/providers/${enc(id)}`),
  testProvider: (id: string) => sendJson<ProviderTestResult>('POST', `/admin/v1/providers/${enc(id)}/test`),
  discovered: (signal?: AbortSignal) => getJson<DiscoveryView>('/admin/v1/providers/discovered', signal),
  discover: () => sendJson<DiscoveryView | null>('POST', '/admin/v1/providers/discover'),
  models: (signal?: AbortSignal) => getJson<{ items: ModelItem[] }>('/admin/v1/models', signal),

  routes: (signal?: AbortSignal) => getJson<{ items: RouteItem[] }>('/admin/v1/routes', signal),
  saveRoute: (r: RouteItem) =>
    sendJson<RouteItem>('PUT', `/admin/v1/routes/${enc(r.name)}`, {
      strategy: r.strategy,
      targets: r.targets,
    } satisfies RouteUpdateBody),
  deleteRoute: (name: string) => sendJson<unknown>('DELETE', `/admin/v1/routes/${enc(name)}`),

  /** `prompts` adds the prompt library's latest versions as a `prompts:` section. */
  exportConfig: (format: 'yaml' | 'json', secrets: 'refs' | 'omit', prompts: boolean) =>
    getText(`/admin/v1/config/export${query({ format, secrets, include: prompts ? 'prompts' : undefined })}`),
  importConfig: (body: ConfigImportText) => sendJson<ConfigImportResult>('POST', '/admin/v1/config/import', body),
  settings: (signal?: AbortSignal) => getJson<GatewaySettings>('/admin/v1/settings', signal),
  saveSettings: (s: SettingsBody) => sendJson<GatewaySettings>('PUT', '/admin/v1/settings', s),
}

/** `GET /v1/models` in its OpenAI shape: what the Playground can address, routes included. */
export const openaiModels = (signal?: AbortSignal) =>
  getJson<{ data: { id: string; owned_by: string }[] }>('/v1/models', signal)
