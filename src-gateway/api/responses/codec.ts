// The inbound OpenAI Responses surface (`POST /v1/responses`) as a DialectCodec.

import type { ChatRequest } from '../../core/chat-types.js'
import { ERROR_ENCODERS } from '../dialects.js'
import type { DialectCodec } from '../types.js'
import { decodeResponsesRequest } from './decode-request.js'
import { encodeResponsesResponse } from './encode-response.js'
import { createResponsesStreamEncoder } from './stream-encoder.js'

/** One per request: the response object echoes the request's settings, so the decoded request is kept. */
export function createResponsesCodec(): DialectCodec<unknown> {
  let decoded: ChatRequest | undefined
  return {
    decodeRequest(body) {
      decoded = decodeResponsesRequest(body)
      return decoded
    },
    encodeResponse: (res, requestedModel) => encodeResponsesResponse(res, requestedModel, decoded),
    streamEncoder: (requestedModel, req) => createResponsesStreamEncoder(requestedModel, req),
    encodeError: ERROR_ENCODERS.responses,
  }
}
