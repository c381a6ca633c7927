// Where and how to call the Gemini API. The base URL is the API root; the key goes in a header, never in
// the URL, so it cannot leak into logged paths.

import type { ProviderContext, UpstreamRequest } from '../types.js'

export const GEMINI_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com'

/** `gemini-2.5-flash` → `models/gemini-2.5-flash`; names that already have a collection (`tunedModels/x`) stay. */
export function modelResourceName(model: string): string {
  return model.includes('/') ? model : `models/${model}`
}

export const GEMINI_PATHS = {
  generate: (model: string) => `/v1beta/${modelResourceName(model)}:generateContent`,
  // Without alt=sse the stream is one chunked JSON array, not SSE.
  stream: (model: string) => `/v1beta/${modelResourceName(model)}:streamGenerateContent?alt=sse`,
  countTokens: (model: string) => `/v1beta/${modelResourceName(model)}:countTokens`,
  batchEmbed: (model: string) => `/v1beta/${modelResourceName(model)}:batchEmbedContents`,
  // 1000 is the largest page the API serves: every model in one request.
  models: '/v1beta/models?pageSize=1000',
} as const

export function geminiHeaders(ctx: ProviderContext): Record<string, string> {
  const headers: Record<string, string> = {}
  if (ctx.apiKey) headers['x-goog-api-key'] = ctx.apiKey
  return ctx.headers ? { ...headers, ...ctx.headers } : headers
}

export function geminiPost(path: string, body: unknown, ctx: ProviderContext): UpstreamRequest {
  return {
    method: 'POST',
    path,
    headers: { ...geminiHeaders(ctx), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }
}
