// POST /embeddings (protocols.md §1.7): the canonical request is OpenAI's, so only the model changes.

import type { EmbeddingsRequest, EmbeddingsResponse } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { isPlainObject } from '../../core/json-values.js'
import type { ProviderContext, UpstreamRequest } from '../types.js'
import { OPENAI_PATHS, openaiPost } from './api.js'

export function embeddingsRequest(req: EmbeddingsRequest, model: string, ctx: ProviderContext): UpstreamRequest {
  return openaiPost(OPENAI_PATHS.embeddings, { ...req, model }, ctx)
}

export function embeddingsResponse(body: unknown, model: string): EmbeddingsResponse {
  if (!isPlainObject(body) || !Array.isArray(body.data)) {
    throw new GatewayError('upstream', 'upstream embeddings reply has no data array')
  }
  const usage = isPlainObject(body.usage) ? body.usage : {}
  const prompt = typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : 0
  return {
    object: 'list',
    data: (body.data as EmbeddingsResponse['data']).map((d, i) => ({
      object: 'embedding',
      index: d.index ?? i,
      embedding: d.embedding,
    })),
    model: typeof body.model === 'string' ? body.model : model,
    usage: {
      prompt_tokens: prompt,
      total_tokens: typeof usage.total_tokens === 'number' ? usage.total_tokens : prompt,
    },
  }
}
