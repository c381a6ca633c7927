// The inbound Anthropic Messages surface (`POST /v1/messages`) as a DialectCodec.

import type { DialectCodec } from '../types.js'
import { decodeAnthropicRequest } from './decode-request.js'
import { encodeAnthropicResponse } from './encode-response.js'
import { anthropicErrorBody, anthropicErrorStatus } from './errors.js'
import { anthropicPassthrough } from './passthrough.js'
import { createAnthropicStreamEncoder } from './stream-encoder.js'

export const anthropicCodec: DialectCodec<unknown> = {
  decodeRequest: decodeAnthropicRequest,
  encodeResponse: encodeAnthropicResponse,
  streamEncoder: (requestedModel) => createAnthropicStreamEncoder(requestedModel),
  encodeError: (err) => ({ status: anthropicErrorStatus(err), body: anthropicErrorBody(err) }),
  passthrough: anthropicPassthrough,
}
