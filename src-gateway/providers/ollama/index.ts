// The Ollama provider manifest (native API): data and pure transforms only; dispatch does the I/O.

import type { ProviderAdapter } from '../types.js'
import { OLLAMA_DEFAULT_BASE_URL } from './api.js'
import { chatRequest } from './chat.js'
import { embeddingsRequest, embeddingsResponse } from './embeddings.js'
import { fromOllamaError } from './errors.js'
import { contextWindowRequest, contextWindowResponse, modelsRequest, modelsResponse } from './models.js'
import { OLLAMA_SETTINGS } from './num-ctx.js'
import { fromOllamaResponse } from './response.js'
import { createOllamaStreamDecoder } from './stream.js'

export const ollama: ProviderAdapter = {
  descriptor: {
    type: 'ollama',
    label: 'Ollama',
    defaultBaseUrl: OLLAMA_DEFAULT_BASE_URL,
    locality: 'local',
    keyRequired: false,
    auth: 'bearer',
    settings: OLLAMA_SETTINGS,
  },
  framing: 'ndjson',
  chatRequest,
  sizesContext: true,
  chatResponse: fromOllamaResponse,
  chatStream: createOllamaStreamDecoder,
  error: fromOllamaError,
  embeddingsRequest,
  embeddingsResponse,
  modelsRequest,
  modelsResponse,
  contextWindowRequest,
  contextWindowResponse,
}
