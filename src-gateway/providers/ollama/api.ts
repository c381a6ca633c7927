// Where and how to call Ollama. The base URL is the server root. Local Ollama has no auth; a key is sent as
// Bearer for Ollama behind an authenticating proxy or hosted Ollama.

import type { ProviderContext, UpstreamRequest } from '../types.js'

export const OLLAMA_DEFAULT_BASE_URL = 'http://127.0.0.1:11434'

export const OLLAMA_PATHS = {
  chat: '/api/chat',
  embed: '/api/embed',
  tags: '/api/tags',
  show: '/api/show',
} as const

export function ollamaHeaders(ctx: ProviderContext): Record<string, string> {
  const headers: Record<string, string> = {}
  if (ctx.apiKey) headers.authorization = `Bearer ${ctx.apiKey}`
  return ctx.headers ? { ...headers, ...ctx.headers } : headers
}

export function ollamaPost(path: string, body: unknown, ctx: ProviderContext): UpstreamRequest {
  return {
    method: 'POST',
    path,
    headers: { ...ollamaHeaders(ctx), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }
}
