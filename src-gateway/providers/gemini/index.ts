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
  type: 'gemini',
  defaultBaseUrl: GEMINI_DEFAULT_BASE_URL,
  framing: 'sse',
  local: false,
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
