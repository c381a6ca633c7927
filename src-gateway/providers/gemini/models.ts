// GET /v1beta/models and POST :countTokens (protocols.md §4).

import type { ChatRequest, ModelInfo } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { isPlainObject } from '../../core/json-values.js'
import type { ProviderContext, UpstreamRequest } from '../types.js'
import { GEMINI_PATHS, geminiHeaders, geminiPost, modelResourceName } from './api.js'
import { toGeminiRequest } from './chat.js'

export function modelsRequest(ctx: ProviderContext): UpstreamRequest {
  return { method: 'GET', path: GEMINI_PATHS.models, headers: geminiHeaders(ctx) }
}

/** Names come as `models/gemini-2.5-flash`; clients address them without the collection prefix. */
export function modelsResponse(body: unknown): ModelInfo[] {
  const models = isPlainObject(body) ? body.models : undefined
  if (!Array.isArray(models)) throw new GatewayError('upstream', 'Gemini model list has no models array')
  const out: ModelInfo[] = []
  for (const m of models) {
    if (!isPlainObject(m) || typeof m.name !== 'string') continue
    const info: ModelInfo = { id: m.name.replace(/^models\//, ''), ownedBy: 'google' }
    if (typeof m.inputTokenLimit === 'number') info.contextWindow = m.inputTokenLimit
    out.push(info)
  }
  return out
}

/** The generateContentRequest form counts the system instruction and tools too, not just the contents. */
export function countTokensRequest(req: ChatRequest, model: string, ctx: ProviderContext): UpstreamRequest {
  const { contents, systemInstruction, tools } = toGeminiRequest(req)
  const generateContentRequest = { model: modelResourceName(model), contents, systemInstruction, tools }
  return geminiPost(GEMINI_PATHS.countTokens(model), { generateContentRequest }, ctx)
}

export function countTokensResponse(body: unknown): number {
  const n = isPlainObject(body) ? body.totalTokens : undefined
  if (typeof n !== 'number') throw new GatewayError('upstream', 'Gemini countTokens reply has no totalTokens')
  return n
}
