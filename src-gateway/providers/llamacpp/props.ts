// GET /props at the server root: the context size llama-server was started with (`-c`), which its model
// listing does not tell (that gives only the training size).

import { isPlainObject } from '../../core/json-values.js'
import { openaiHeaders } from '../openai-base/api.js'
import { serverRoot } from '../shared/server-root.js'
import type { ContextWindowRequest, ProviderContext } from '../types.js'

export function contextWindowRequest(model: string, ctx: ProviderContext): ContextWindowRequest {
  // A single-model server ignores `model`; one in router mode answers for that model.
  const path = `/props?model=${encodeURIComponent(model)}`
  return { method: 'GET', path, headers: openaiHeaders(ctx), baseUrl: serverRoot(ctx.baseUrl) }
}

/** `default_generation_settings.n_ctx` (older builds put `n_ctx` at the top). */
export function contextWindowResponse(body: unknown): number | undefined {
  if (!isPlainObject(body)) return undefined
  const settings = isPlainObject(body.default_generation_settings) ? body.default_generation_settings : undefined
  const n = settings?.n_ctx ?? body.n_ctx
  return typeof n === 'number' && n > 0 ? n : undefined
}
