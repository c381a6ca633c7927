// The inbound OpenAI Responses surface (`POST /v1/responses`) as a DialectCodec.

import type { ChatRequest } from '../../core/chat-types.js'
import { ERROR_ENCODERS } from '../dialects.js'
import type { DialectCodec } from '../types.js'
import { decodeResponsesRequest, namespacedToolNames } from './decode-request.js'
import { encodeResponsesResponse } from './encode-response.js'
import type { ToolNamespaces } from './response-object.js'
import { createResponsesStreamEncoder } from './stream-encoder.js'

/** One per request: the response object echoes the request's settings, so the decoded request is kept. */
export function createResponsesCodec(): DialectCodec<unknown> {
  let decoded: ChatRequest | undefined
  /** Tools the client gave in namespaces: the model calls them by a flat name, the client gets the namespace back. */
  let namespaces: ToolNamespaces | undefined
  return {
    decodeRequest(body) {
      decoded = decodeResponsesRequest(body)
      namespaces = namespacedToolNames(body)
      return decoded
    },
    encodeResponse: (res, requestedModel) => encodeResponsesResponse(res, requestedModel, decoded, namespaces),
    streamEncoder: (requestedModel, req) => createResponsesStreamEncoder(requestedModel, req, namespaces),
    encodeError: ERROR_ENCODERS.responses,
  }
}
