import type { RouteConfig } from '../config/schema.js'
import type { ChatChunk, ChatRequest, ChatResponse } from '../core/chat-types.js'
import type { GatewayError } from '../core/errors.js'
import type { StreamRelay, TokenCounts } from './stream-accounting.js'

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
  /** How the client's own body is relayed to an upstream that speaks this dialect; absent: always translated. */
  passthrough?: PassthroughCodec
}

/** A route's own system instructions, wrapped around every request it serves. */
export type RouteSystem = NonNullable<RouteConfig['system']>

/**
 * A dialect whose upstreams take the client's body as it came: the gateway sends it on with only the model
 * replaced and relays the answer byte for byte, reading only what the log needs.
 */
export interface PassthroughCodec {
  /** The body for the upstream: the client's, `model` replaced (and anything the log needs asked for). */
  upstreamBody(body: Record<string, unknown>, model: string): Record<string, unknown>
  /** Client request headers the upstream must see. */
  forwardedHeaders: readonly string[]
  /** Token counts from a complete answer's `usage`. */
  counts(usage: unknown): TokenCounts | undefined
  /** Relays a streamed answer; `clientWantsUsage`: the client asked for usage itself. */
  stream(clientWantsUsage: boolean): StreamRelay
  /** The client's body with a route's system instructions wrapped around its prompt. */
  wrapSystem(body: Record<string, unknown>, system: RouteSystem): Record<string, unknown>
}
