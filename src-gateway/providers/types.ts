import type {
  ChatChunk,
  ChatRequest,
  ChatResponse,
  EmbeddingsRequest,
  EmbeddingsResponse,
  ModelInfo,
} from '../core/chat-types.js'
import type { GatewayError } from '../core/errors.js'
import type { StreamFrame } from '../core/sse.js'
import type { UpstreamRequest } from '../core/upstream.js'

export type ProviderType = 'openai' | 'openai-compatible' | 'anthropic' | 'gemini' | 'ollama' | 'llamacpp'

/** A wire format that a client can speak and an upstream can natively accept (for byte pass-through). */
export type Dialect = 'openai' | 'anthropic'

/** What a provider needs to know from config. Providers never read env or config themselves. */
export interface ProviderContext {
  /** Base URL without trailing slash, following each vendor's SDK convention (see DESIGN.md). */
  baseUrl: string
  apiKey?: string
  /** Extra headers from config (e.g. OpenAI-Organization). */
  headers?: Record<string, string>
}

// What the adapters build; stated in core/upstream.ts, its sender, since core imports no provider.
export type { UpstreamRequest }

/** Turns upstream stream frames into canonical chunks. Stateful: one per upstream response. */
export interface ChatStreamDecoder {
  push(frame: StreamFrame): ChatChunk[]
  /**
   * Upstream closed. Returns any final chunks. Throws GatewayError when the stream ended before its
   * terminator (truncated), so the client gets an error event instead of a silently cut answer.
   */
  end(): ChatChunk[]
}

export interface ProviderAdapter {
  type: ProviderType
  /** The client dialect whose requests this upstream accepts byte for byte (after model rewrite). */
  passthrough?: Dialect
  defaultBaseUrl: string
  /** How the upstream frames a streamed reply. */
  framing: 'sse' | 'ndjson'
  /** Whether a remote (cloud) provider: drives defaults such as timeouts and price lookups. */
  local: boolean

  chatRequest(req: ChatRequest, model: string, ctx: ProviderContext): UpstreamRequest
  chatResponse(body: unknown, model: string): ChatResponse
  chatStream(model: string): ChatStreamDecoder
  /** An upstream non-2xx reply (or an in-stream error frame's JSON text) → GatewayError. */
  error(status: number, body: string, headers: Record<string, string | string[] | undefined>): GatewayError

  /**
   * For pass-through (client dialect === `passthrough`): the path of the chat endpoint under the base
   * URL and the headers (auth, version) to send with the client's own body.
   */
  passthroughPath?: string
  passthroughHeaders?(ctx: ProviderContext): Record<string, string>

  embeddingsRequest?(req: EmbeddingsRequest, model: string, ctx: ProviderContext): UpstreamRequest
  embeddingsResponse?(body: unknown, model: string): EmbeddingsResponse

  modelsRequest?(ctx: ProviderContext): UpstreamRequest
  modelsResponse?(body: unknown): ModelInfo[]

  /** Exact prompt token count from the upstream, where it has an endpoint for it. */
  countTokensRequest?(req: ChatRequest, model: string, ctx: ProviderContext): UpstreamRequest
  countTokensResponse?(body: unknown): number
}
