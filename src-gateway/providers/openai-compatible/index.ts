import { createOpenAIBase } from '../openai-base/index.js'
import type { ProviderAdapter } from '../types.js'
import { contextWindowRequest, contextWindowResponse } from './models.js'

/**
 * Any OpenAI-shaped server (LM Studio, vLLM, Jan, Groq, Together…). OpenAI-only fields are mapped to
 * what such servers accept. The default base URL is LM Studio's, the most common local one; such a server
 * is local when it listens on loopback, as LM Studio and vLLM on this machine do, and paid elsewhere.
 */
export const openaiCompatible: ProviderAdapter = {
  ...createOpenAIBase({
    descriptor: {
      type: 'openai-compatible',
      label: 'OpenAI-compatible server (LM Studio, vLLM, Groq…)',
      defaultBaseUrl: 'http://127.0.0.1:1234/v1',
      locality: 'when loopback',
      keyRequired: false,
      auth: 'bearer',
    },
    strictOpenAI: false,
  }),
  contextWindowRequest,
  contextWindowResponse,
}
