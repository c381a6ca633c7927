// Where and how to call the Anthropic API. The base URL is the API root without `/v1` (the SDK's convention).

import type { ProviderContext, UpstreamRequest } from '../types.js'

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com'
export const ANTHROPIC_VERSION = '2023-06-01'

export const ANTHROPIC_PATHS = {
  messages: '/v1/messages',
  countTokens: '/v1/messages/count_tokens',
  // Anthropic caps `limit` at 1000; one page covers every model it offers.
  models: '/v1/models?limit=1000',
} as const

/** Auth and version headers. Local Anthropic-compatible servers may have no key; config headers win. */
export function anthropicHeaders(ctx: ProviderContext): Record<string, string> {
  const headers: Record<string, string> = { 'anthropic-version': ANTHROPIC_VERSION }
  if (ctx.apiKey) headers['x-api-key'] = ctx.apiKey
  return ctx.headers ? { ...headers, ...ctx.headers } : headers
}

export function anthropicPost(path: string, body: unknown, ctx: ProviderContext): UpstreamRequest {
  return {
    method: 'POST',
    path,
    headers: { ...anthropicHeaders(ctx), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }
}
