// POST /api/embed {model, input} → {embeddings:[[…]], prompt_eval_count} (protocols.md §5).

import type { EmbeddingsRequest, EmbeddingsResponse } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { isPlainObject } from '../../core/json-values.js'
import type { ProviderContext, UpstreamRequest } from '../types.js'
import { OLLAMA_PATHS, ollamaPost } from './api.js'

export function embeddingsRequest(req: EmbeddingsRequest, model: string, ctx: ProviderContext): UpstreamRequest {
  const input = req.input
  if (typeof input !== 'string' && !input.every((i) => typeof i === 'string')) {
    throw new GatewayError('invalid_request', 'Ollama embeddings take text input, not token arrays', { param: 'input' })
  }
  const body: Record<string, unknown> = { model, input }
  if (req.dimensions !== undefined) body.dimensions = req.dimensions
  return ollamaPost(OLLAMA_PATHS.embed, body, ctx)
}

export function embeddingsResponse(body: unknown, model: string): EmbeddingsResponse {
  const embeddings = isPlainObject(body) ? body.embeddings : undefined
  if (!isPlainObject(body) || !Array.isArray(embeddings)) {
    throw new GatewayError('upstream', 'Ollama embed reply has no embeddings array')
  }
  const prompt = typeof body.prompt_eval_count === 'number' ? body.prompt_eval_count : 0
  return {
    object: 'list',
    data: embeddings.map((embedding: number[], index) => ({ object: 'embedding', index, embedding })),
    model: typeof body.model === 'string' ? body.model : model,
    usage: { prompt_tokens: prompt, total_tokens: prompt },
  }
}
