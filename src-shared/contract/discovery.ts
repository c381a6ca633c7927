import type { ListPage } from './common.js'

/*
 * The local-server scan: GET /admin/v1/providers/discovered (its query: `ProvidersQuerySchema`, providers.ts) and
 * POST /admin/v1/providers/discover (no body), which scans again and answers the same view.
 */

/** A local model server the last scan found, described against the current config. */
export interface DiscoveredServer {
  /** ollama, llamacpp, lmstudio, vllm or openai-compatible. */
  kind: string
  baseUrl: string
  /** `needs-key`: the server answers but wants an API key before it lists models. */
  status: 'ok' | 'needs-key'
  models: string[]
  /** A provider already points at this server. */
  configured: boolean
  /** An id and a provider type to add it under. */
  suggestedId: string
  suggestedType: string
}

/** What the last scan found, when it ran (null: never), whether one runs now, and whether one runs at start. */
export interface DiscoveryAnswer extends ListPage<DiscoveredServer> {
  scannedAt: string | null
  scanning: boolean
  scanOnStart: boolean
}
