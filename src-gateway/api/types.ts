import type { ChatChunk, ChatRequest, ChatResponse } from '../core/chat-types.js'
import type { GatewayError } from '../core/errors.js'

/** Serialises canonical stream chunks into one client dialect's wire format. One per response. */
export interface StreamEncoder {
  /** Bytes for one canonical chunk (may be '' when the chunk carries nothing for this dialect). */
  chunk(c: ChatChunk): string
  /** Bytes that close a successful stream (OpenAI `data: [DONE]`, Anthropic `message_delta` + `message_stop`). */
  end(): string
  /** Bytes that report an error after the stream started, and close it (no success terminator). */
  error(err: GatewayError): string
}

/** One inbound API surface's translation, pure functions only. */
export interface DialectCodec<Req> {
  /** Client body → canonical request. Throws GatewayError('invalid_request') with `param` on bad input. */
  decodeRequest(body: Req): ChatRequest
  encodeResponse(res: ChatResponse, requestedModel: string): unknown
  streamEncoder(requestedModel: string, req: ChatRequest): StreamEncoder
  /** Content type of a streamed answer; SSE unless the dialect says otherwise (Ollama: NDJSON). */
  streamContentType?: string
  /** `{status, body}` for an error in this dialect. */
  encodeError(err: GatewayError): { status: number; body: unknown }
}
