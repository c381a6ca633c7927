// The inbound Ollama chat surfaces (`POST /api/chat`, `POST /api/generate`) as DialectCodecs.

import { ERROR_ENCODERS } from '../dialects.js'
import type { DialectCodec } from '../types.js'
import { decodeOllamaChat, decodeOllamaGenerate } from './decode-request.js'
import { encodeOllamaResponse } from './encode-response.js'
import type { OllamaEndpoint } from './reply-shape.js'
import { createOllamaStreamEncoder } from './stream-encoder.js'

const DECODERS = { chat: decodeOllamaChat, generate: decodeOllamaGenerate }

/** One per request: Ollama replies report durations, timed from `t0` (performance.now() at arrival). */
export function createOllamaCodec(endpoint: OllamaEndpoint, t0: number): DialectCodec<unknown> {
  return {
    decodeRequest: DECODERS[endpoint],
    encodeResponse: (res, requestedModel) => encodeOllamaResponse(res, requestedModel, endpoint, t0),
    streamEncoder: (requestedModel) => createOllamaStreamEncoder(requestedModel, endpoint, t0),
    streamContentType: 'application/x-ndjson',
    encodeError: ERROR_ENCODERS.ollama,
  }
}
