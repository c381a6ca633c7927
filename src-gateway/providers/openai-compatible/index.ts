import { createOpenAIBase } from '../openai-base/index.js'

/**
 * Any OpenAI-shaped server (LM Studio, vLLM, Jan, Groq, Together…). OpenAI-only fields are mapped to
 * what such servers accept. The default base URL is LM Studio's, the most common local one.
 */
export const openaiCompatible = createOpenAIBase({
  type: 'openai-compatible',
  defaultBaseUrl: 'http://127.0.0.1:1234/v1',
  local: true,
  strictOpenAI: false,
})
