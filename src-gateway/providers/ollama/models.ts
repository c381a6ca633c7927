// GET /api/tags: the models installed on this Ollama server (protocols.md §5); POST /api/show: one model's
// context window.

import type { ModelInfo } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { isPlainObject } from '../../core/json-values.js'
import type { ContextWindowRequest, ProviderContext, UpstreamRequest } from '../types.js'
import { OLLAMA_PATHS, ollamaHeaders, ollamaPost } from './api.js'
import { numCtxSetting } from './num-ctx.js'

export function modelsRequest(ctx: ProviderContext): UpstreamRequest {
  return { method: 'GET', path: OLLAMA_PATHS.tags, headers: ollamaHeaders(ctx) }
}

/** The listing has no context size: that is one /api/show per model, asked on its first use (below). */
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

export function contextWindowRequest(model: string, ctx: ProviderContext): ContextWindowRequest {
  return ollamaPost(OLLAMA_PATHS.show, { model }, ctx)
}

/** A Modelfile's `PARAMETER num_ctx`, as /api/show lists it in `parameters` (one `name value` per line). */
const NUM_CTX_PARAMETER = /^num_ctx\s+(\d+)\s*$/m

/**
 * The size the model's maker chose (a Modelfile's `num_ctx`) when set, else what the model was trained
 * for (`<architecture>.context_length` in model_info).
 */
export function contextWindowResponse(body: unknown, ctx: ProviderContext): number | undefined {
  const stated = statedWindow(body)
  // The gateway never asks for more than the provider's cap, so that is as much as the model can take here.
  const cap = numCtxSetting(ctx).max
  return stated !== undefined && cap !== undefined ? Math.min(stated, cap) : (stated ?? cap)
}

function statedWindow(body: unknown): number | undefined {
  if (!isPlainObject(body)) return undefined
  const set = typeof body.parameters === 'string' ? NUM_CTX_PARAMETER.exec(body.parameters) : null
  if (set && Number(set[1]) > 0) return Number(set[1])
  const info = isPlainObject(body.model_info) ? body.model_info : undefined
  const arch = info?.['general.architecture']
  const trained = typeof arch === 'string' ? info?.[`${arch}.context_length`] : undefined
  return typeof trained === 'number' && trained > 0 ? trained : undefined
}
