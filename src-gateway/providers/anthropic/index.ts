// The Anthropic provider manifest: data and pure transforms only; dispatch does the I/O.

import type { ProviderAdapter } from '../types.js'
import { ANTHROPIC_DEFAULT_BASE_URL, ANTHROPIC_PATHS, anthropicHeaders } from './api.js'
import { chatRequest } from './chat.js'
import { fromAnthropicError } from './errors.js'
import { countTokensRequest, countTokensResponse, modelsRequest, modelsResponse } from './models.js'
import { fromAnthropicMessage } from './response.js'
import { createAnthropicStreamDecoder } from './stream.js'

export const anthropic: ProviderAdapter = {
  descriptor: {
    type: 'anthropic',
    label: 'Anthropic',
    defaultBaseUrl: ANTHROPIC_DEFAULT_BASE_URL,
    locality: 'cloud',
    keyRequired: true,
    auth: 'x-api-key',
    priceTable: 'anthropic',
  },
  passthrough: 'anthropic',
  passthroughPath: ANTHROPIC_PATHS.messages,
  passthroughHeaders: (ctx) => ({ ...anthropicHeaders(ctx), 'content-type': 'application/json' }),
  framing: 'sse',
  chatRequest,
  chatResponse: fromAnthropicMessage,
  chatStream: createAnthropicStreamDecoder,
  error: fromAnthropicError,
  modelsRequest,
  modelsResponse,
  countTokensRequest,
  countTokensResponse,
}
