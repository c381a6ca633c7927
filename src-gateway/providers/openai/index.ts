import { createOpenAIBase } from '../openai-base/index.js'

/** OpenAI itself: the strict API (max_completion_tokens, developer role, store…) is sent as is. */
export const openai = createOpenAIBase({
  descriptor: {
    type: 'openai',
    label: 'OpenAI',
    defaultBaseUrl: 'https://api.openai.com/v1',
    locality: 'cloud',
    keyRequired: true,
    auth: 'bearer',
    priceTable: 'openai',
  },
  strictOpenAI: true,
})
