import { createOpenAIBase } from '../openai-base/index.js'

/** OpenAI itself: the strict API (max_completion_tokens, developer role, store…) is sent as is. */
export const openai = createOpenAIBase({
  type: 'openai',
  defaultBaseUrl: 'https://api.openai.com/v1',
  local: false,
  strictOpenAI: true,
})
