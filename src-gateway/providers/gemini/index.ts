// The Gemini provider manifest: data and pure transforms only; dispatch does the I/O.

import type { ProviderAdapter } from '../types.js'
import { GEMINI_DEFAULT_BASE_URL } from './api.js'
import { chatRequest } from './chat.js'
import { embeddingsRequest, embeddingsResponse } from './embeddings.js'
import { fromGeminiError } from './errors.js'
import { countTokensRequest, countTokensResponse, modelsRequest, modelsResponse } from './models.js'
import { fromGeminiResponse } from './response.js'
import { createGeminiStreamDecoder } from './stream.js'

export const gemini: ProviderAdapter = {
  descriptor: {
    type: 'gemini',
    label: 'Google Gemini',
    defaultBaseUrl: GEMINI_DEFAULT_BASE_URL,
    locality: 'cloud',
    keyRequired: true,
    auth: 'x-goog-api-key',
    priceTable: 'google',
  },
  framing: 'sse',
  chatRequest,
  chatResponse: fromGeminiResponse,
  chatStream: createGeminiStreamDecoder,
  error: fromGeminiError,
  embeddingsRequest,
  embeddingsResponse,
  modelsRequest,
  modelsResponse,
  countTokensRequest,
  countTokensResponse,
}
