// GET /v1/models and POST /v1/messages/count_tokens (protocols.md §3.6).

import type { ChatRequest, ModelInfo } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import type { ProviderContext, UpstreamRequest } from '../types.js'
import { ANTHROPIC_PATHS, anthropicHeaders, anthropicPost } from './api.js'
import { toAnthropicRequest } from './chat.js'

export function modelsRequest(ctx: ProviderContext): UpstreamRequest {
  return { method: 'GET', path: ANTHROPIC_PATHS.models, headers: anthropicHeaders(ctx) }
}

export function modelsResponse(body: unknown): ModelInfo[] {
  const data = (body as { data?: unknown })?.data
  if (!Array.isArray(data)) throw new GatewayError('upstream', 'Anthropic model list has no data array')
  const models: ModelInfo[] = []
  for (const m of data as { id?: unknown; created_at?: unknown }[]) {
    if (typeof m?.id !== 'string') continue
    const info: ModelInfo = { id: m.id, ownedBy: 'anthropic' }
    const created = typeof m.created_at === 'string' ? Date.parse(m.created_at) : Number.NaN
    if (!Number.isNaN(created)) info.created = Math.floor(created / 1000)
    models.push(info)
  }
  return models
}

/** count_tokens takes the Messages body minus generation settings; it rejects the fields it does not know. */
export function countTokensRequest(req: ChatRequest, model: string, ctx: ProviderContext): UpstreamRequest {
  const { messages, system, tools, tool_choice, thinking } = toAnthropicRequest(req, model)
  return anthropicPost(ANTHROPIC_PATHS.countTokens, { model, messages, system, tools, tool_choice, thinking }, ctx)
}

export function countTokensResponse(body: unknown): number {
  const n = (body as { input_tokens?: unknown })?.input_tokens
  if (typeof n !== 'number') throw new GatewayError('upstream', 'Anthropic count_tokens reply has no input_tokens')
  return n
}
