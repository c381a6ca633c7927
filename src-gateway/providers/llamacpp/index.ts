// llama.cpp `llama-server` (protocols.md §6): OpenAI-shaped under /v1, so the OpenAI base does all of it.
// Its exact token counter, `/tokenize`, sits at the server root outside the /v1 base URL and counts raw
// text rather than a templated chat, so counting falls back to the gateway's estimate. Its context size is
// asked of /props (props.ts).

import { createOpenAIBase } from '../openai-base/index.js'
import type { ProviderAdapter } from '../types.js'
import { contextWindowRequest, contextWindowResponse } from './props.js'

export const llamacpp: ProviderAdapter = {
  ...createOpenAIBase({
    descriptor: {
      type: 'llamacpp',
      label: 'llama.cpp server',
      defaultBaseUrl: 'http://127.0.0.1:8080/v1',
      locality: 'local',
      keyRequired: false,
      auth: 'bearer',
    },
    strictOpenAI: false,
  }),
  contextWindowRequest,
  contextWindowResponse,
}
