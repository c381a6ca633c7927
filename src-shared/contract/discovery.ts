import { type Static, Type } from 'typebox'
import { ListPageSchema, OrNull } from './common.js'

/*
 * The local-server scan: GET /admin/v1/providers/discovered (its query: `ProvidersQuerySchema`, providers.ts) and
 * POST /admin/v1/providers/discover (no body), which scans again and answers the same view.
 */

/** A local model server the last scan found, described against the current config. */
export const DiscoveredServerSchema = Type.Object({
  /** ollama, llamacpp, lmstudio, vllm or openai-compatible. */
  kind: Type.String(),
  baseUrl: Type.String(),
  /** `needs-key`: the server answers but wants an API key before it lists models. */
  status: Type.Union([Type.Literal('ok'), Type.Literal('needs-key')]),
  models: Type.Array(Type.String()),
  /** A provider already points at this server. */
  configured: Type.Boolean(),
  /** An id and a provider type to add it under. */
  suggestedId: Type.String(),
  suggestedType: Type.String(),
})
export type DiscoveredServer = Static<typeof DiscoveredServerSchema>

/** What the last scan found, when it ran (null: never), whether one runs now, and whether one runs at start. */
export const DiscoveryAnswerSchema = Type.Object({
  ...ListPageSchema(DiscoveredServerSchema).properties,
  scannedAt: OrNull(Type.String()),
  scanning: Type.Boolean(),
  scanOnStart: Type.Boolean(),
})
export type DiscoveryAnswer = Static<typeof DiscoveryAnswerSchema>
