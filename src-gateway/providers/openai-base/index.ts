// The OpenAI-shaped provider, parameterised for OpenAI itself and for compatible servers (llama.cpp,
// LM Studio, vLLM, Jan): data and pure transforms only; dispatch does the I/O.

import type { ProviderAdapter, ProviderType } from '../types.js'
import { OPENAI_PATHS, openaiHeaders, openaiPost } from './api.js'
import { toOpenAIRequest } from './chat.js'
import { embeddingsRequest, embeddingsResponse } from './embeddings.js'
import { fromOpenAIError } from './errors.js'
import { modelsRequest, modelsResponse } from './models.js'
import { fromOpenAIResponse } from './response.js'
import { createOpenAIStreamDecoder } from './stream.js'

export interface OpenAIBaseOptions {
  type: ProviderType
  /** Includes `/v1`, as the OpenAI SDK's base URL does. */
  defaultBaseUrl: string
  local: boolean
  /** True for api.openai.com: OpenAI-only fields are sent as is. False maps or drops them (protocols.md §7). */
  strictOpenAI: boolean
}

export function createOpenAIBase(options: OpenAIBaseOptions): ProviderAdapter {
  const requestOptions = { strictOpenAI: options.strictOpenAI }
  return {
    type: options.type,
    passthrough: 'openai',
    passthroughPath: OPENAI_PATHS.chat,
    passthroughHeaders: (ctx) => ({ ...openaiHeaders(ctx), 'content-type': 'application/json' }),
    defaultBaseUrl: options.defaultBaseUrl,
    framing: 'sse',
    local: options.local,
    chatRequest: (req, model, ctx) => openaiPost(OPENAI_PATHS.chat, toOpenAIRequest(req, model, requestOptions), ctx),
    chatResponse: fromOpenAIResponse,
    chatStream: createOpenAIStreamDecoder,
    error: fromOpenAIError,
    embeddingsRequest,
    embeddingsResponse,
    modelsRequest,
    modelsResponse,
  }
}
