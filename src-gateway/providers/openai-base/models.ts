// GET /models (protocols.md §1.7, §6, §7). OpenAI lists no context sizes; some compatible servers do.

import type { ModelInfo } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { isPlainObject } from '../../core/json-values.js'
import type { ProviderContext, UpstreamRequest } from '../types.js'
import { OPENAI_PATHS, openaiHeaders } from './api.js'

/**
 * Where compatible servers put the context size: vLLM `max_model_len`, Groq and others `context_window`,
 * OpenRouter `context_length`, Mistral `max_context_length`. llama.cpp's `meta.n_ctx_train` is the training size, not what the server
 * was started with, so it is not used.
 */
const CONTEXT_FIELDS = ['max_model_len', 'context_window', 'context_length', 'max_context_length'] as const

export function modelsRequest(ctx: ProviderContext): UpstreamRequest {
  return { method: 'GET', path: OPENAI_PATHS.models, headers: openaiHeaders(ctx) }
}

export function modelsResponse(body: unknown): ModelInfo[] {
  const data = isPlainObject(body) ? body.data : undefined
  if (!Array.isArray(data)) throw new GatewayError('upstream', 'upstream model list has no data array')
  const models: ModelInfo[] = []
  for (const m of data) {
    if (!isPlainObject(m) || typeof m.id !== 'string') continue
    const info: ModelInfo = { id: m.id }
    if (typeof m.owned_by === 'string') info.ownedBy = m.owned_by
    if (typeof m.created === 'number') info.created = m.created
    const context = CONTEXT_FIELDS.map((f) => m[f]).find((v) => typeof v === 'number')
    if (typeof context === 'number') info.contextWindow = context
    models.push(info)
  }
  return models
}
