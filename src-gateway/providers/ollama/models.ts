// GET /api/tags: the models installed on this Ollama server (protocols.md §5).

import type { ModelInfo } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { isPlainObject } from '../../core/json-values.js'
import type { ProviderContext, UpstreamRequest } from '../types.js'
import { OLLAMA_PATHS, ollamaHeaders } from './api.js'

export function modelsRequest(ctx: ProviderContext): UpstreamRequest {
  return { method: 'GET', path: OLLAMA_PATHS.tags, headers: ollamaHeaders(ctx) }
}

/** The listing has no context size (that needs one /api/show per model), so none is reported. */
export function modelsResponse(body: unknown): ModelInfo[] {
  const models = isPlainObject(body) ? body.models : undefined
  if (!Array.isArray(models)) throw new GatewayError('upstream', 'Ollama model list has no models array')
  const out: ModelInfo[] = []
  for (const m of models) {
    if (!isPlainObject(m) || typeof m.name !== 'string') continue
    const info: ModelInfo = { id: m.name, ownedBy: 'ollama' }
    const modified = typeof m.modified_at === 'string' ? Date.parse(m.modified_at) : Number.NaN
    if (!Number.isNaN(modified)) info.created = Math.floor(modified / 1000)
    out.push(info)
  }
  return out
}
