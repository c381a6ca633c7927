// POST :batchEmbedContents (protocols.md §4 "Models, counting, embeddings").

import type { EmbeddingsRequest, EmbeddingsResponse } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { isPlainObject } from '../../core/json-values.js'
import type { ProviderContext, UpstreamRequest } from '../types.js'
import { GEMINI_PATHS, geminiPost, modelResourceName } from './api.js'

export function embeddingsRequest(req: EmbeddingsRequest, model: string, ctx: ProviderContext): UpstreamRequest {
  const inputs = typeof req.input === 'string' ? [req.input] : req.input
  if (!inputs.every((i): i is string => typeof i === 'string')) {
    throw new GatewayError('invalid_request', 'Gemini embeddings take text input, not token arrays', { param: 'input' })
  }
  const requests = inputs.map((text) => {
    const r: Record<string, unknown> = { model: modelResourceName(model), content: { parts: [{ text }] } }
    if (req.dimensions !== undefined) r.outputDimensionality = req.dimensions
    return r
  })
  return geminiPost(GEMINI_PATHS.batchEmbed(model), { requests }, ctx)
}

/** Gemini reports no token usage for embeddings, so usage is zero. */
export function embeddingsResponse(body: unknown, model: string): EmbeddingsResponse {
  const embeddings = isPlainObject(body) ? body.embeddings : undefined
  if (!Array.isArray(embeddings)) throw new GatewayError('upstream', 'Gemini embeddings reply has no embeddings array')
  return {
    object: 'list',
    data: embeddings.map((e, index) => ({
      object: 'embedding',
      index,
      embedding: isPlainObject(e) && Array.isArray(e.values) ? (e.values as number[]) : [],
    })),
    model,
    usage: { prompt_tokens: 0, total_tokens: 0 },
  }
}
