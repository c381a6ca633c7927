// Where and how to call an OpenAI-shaped API. The base URL includes `/v1` (the OpenAI SDK's convention).

import type { ProviderContext, UpstreamRequest } from '../types.js'

export const OPENAI_PATHS = {
  chat: '/chat/completions',
  embeddings: '/embeddings',
  models: '/models',
} as const

/** Bearer auth when a key is configured (local servers often have none); config headers win. */
export function openaiHeaders(ctx: ProviderContext): Record<string, string> {
  const headers: Record<string, string> = {}
  if (ctx.apiKey) headers.authorization = `Bearer ${ctx.apiKey}`
  return ctx.headers ? { ...headers, ...ctx.headers } : headers
}

export function openaiPost(path: string, body: unknown, ctx: ProviderContext): UpstreamRequest {
  return {
    method: 'POST',
    path,
    headers: { ...openaiHeaders(ctx), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }
}
