// The OpenAI-shaped provider, parameterised for OpenAI itself and for compatible servers (llama.cpp,
// LM Studio, vLLM, Jan): data and pure transforms only; dispatch does the I/O.

import type { ProviderAdapter, ProviderDescriptor } from '../types.js'
import { OPENAI_PATHS, openaiHeaders, openaiPost } from './api.js'
import { toOpenAIRequest } from './chat.js'
import { embeddingsRequest, embeddingsResponse } from './embeddings.js'
import { fromOpenAIError } from './errors.js'
import { modelsRequest, modelsResponse } from './models.js'
import { fromOpenAIResponse } from './response.js'
import { createOpenAIStreamDecoder } from './stream.js'

export interface OpenAIBaseOptions {
  /** Its `defaultBaseUrl` includes `/v1`, as the OpenAI SDK's base URL does. */
  descriptor: ProviderDescriptor
  /** True for api.openai.com: OpenAI-only fields are sent as is. False maps or drops them (protocols.md §7). */
  strictOpenAI: boolean
}

export function createOpenAIBase(options: OpenAIBaseOptions): ProviderAdapter {
  const requestOptions = { strictOpenAI: options.strictOpenAI }
  return {
    descriptor: options.descriptor,
    passthrough: 'openai',
    passthroughPath: OPENAI_PATHS.chat,
    passthroughHeaders: (ctx) => ({ ...openaiHeaders(ctx), 'content-type': 'application/json' }),
    framing: 'sse',
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
