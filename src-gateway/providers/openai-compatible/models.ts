// LM Studio's own model endpoint, GET /api/v0/models/:id at the server root: the context a model is
// loaded with (`loaded_context_length`) or can take (`max_context_length`). Its OpenAI-shaped listing says
// neither. Other compatible servers answer 404 once per model and are not asked again for a while.

import { isPlainObject } from '../../core/json-values.js'
import { openaiHeaders } from '../openai-base/api.js'
import { isPrivateHost, serverRoot } from '../shared/server-root.js'
import type { ContextWindowRequest, ProviderContext } from '../types.js'

/** Asked only of servers on this machine or network: a cloud API has no such endpoint. */
export function contextWindowRequest(model: string, ctx: ProviderContext): ContextWindowRequest | undefined {
  if (!isPrivateHost(ctx.baseUrl)) return undefined
  const path = `/api/v0/models/${encodeURIComponent(model)}`
  return { method: 'GET', path, headers: openaiHeaders(ctx), baseUrl: serverRoot(ctx.baseUrl) }
}

export function contextWindowResponse(body: unknown): number | undefined {
  if (!isPlainObject(body)) return undefined
  const n = body.loaded_context_length ?? body.max_context_length
  return typeof n === 'number' && n > 0 ? n : undefined
}
