import type { TProperties } from 'typebox'
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

/** A wire format that a client can speak and an upstream can natively accept (for byte pass-through). */
export type Dialect = 'openai' | 'anthropic'

/** What a provider needs to know from config. Providers never read env or config themselves. */
export interface ProviderContext {
  /** Base URL without trailing slash, following each vendor's SDK convention (see DESIGN.md). */
  baseUrl: string
  apiKey?: string
  /** Extra headers from config (e.g. OpenAI-Organization). */
  headers?: Record<string, string>
  /** The provider's values of its type's `descriptor.settings`, as validated by the config schema. */
  settings?: Record<string, unknown>
}

// What the adapters build; stated in core/upstream.ts, its sender, since core imports no provider.
export type { UpstreamRequest }

/**
 * What the gateway knows of one request's size, for an upstream that must be told how much context to
 * allocate (Ollama's `num_ctx`): given to `chatRequest` only by adapters that set `sizesContext`.
 */
export interface ContextHint {
  /** The prompt's estimated tokens (an upper bound when it was not worth tokenizing). */
  promptTokens: number
  /** The target model's context window, when config or the server states it. */
  contextWindow?: number
  /** The caller's own context size (an Ollama client's `options.num_ctx`): it wins. */
  callerNumCtx?: number
}

/** Where to ask one model's context window: `baseUrl` replaces the provider's when the endpoint sits outside it. */
export type ContextWindowRequest = UpstreamRequest & { baseUrl?: string }

/** Turns upstream stream frames into canonical chunks. Stateful: one per upstream response. */
export interface ChatStreamDecoder {
  push(frame: StreamFrame): ChatChunk[]
  /**
   * Upstream closed. Returns any final chunks. Throws GatewayError when the stream ended before its
   * terminator (truncated), so the client gets an error event instead of a silently cut answer.
   */
  end(): ChatChunk[]
}

/** How a provider sends its key upstream (shown in the UI; each folder's `api.ts` does it). */
export type ProviderAuth = 'bearer' | 'x-api-key' | 'api-key' | 'x-goog-api-key'

/**
 * What the rest of the gateway and the UI know of a provider type, stated once next to its adapter.
 * What it can do (embeddings, model listing, token counting) is not repeated here: it is which optional
 * adapter functions exist.
 */
export interface ProviderDescriptor {
  /** The config's `type:` value; the registry's key for this provider. */
  type: string
  /** For people: the provider form's choice. */
  label: string
  /** Used when a provider sets no `baseUrl`, following the vendor SDK's convention (DESIGN.md). */
  defaultBaseUrl: string
  /** Each account has its own endpoint (Azure): `defaultBaseUrl` only shows its form, a provider must set one. */
  baseUrlRequired?: boolean
  /**
   * Whether it runs on your own hardware unless its provider's `local:` says otherwise: free, counted
   * local in Overview, local timeouts. Cloud APIs stay cloud at a loopback URL (a local proxy still bills
   * the account behind it); `when loopback` is local only when the base URL is.
   */
  locality: 'local' | 'cloud' | 'when loopback'
  /** Whether calls fail without a key (local servers usually take none). */
  keyRequired: boolean
  auth: ProviderAuth
  /** The bundled price table's provider whose prices this type's models carry, when exactly one fits. */
  priceTable?: string
  /**
   * Type-specific provider settings (e.g. Azure's `deployments`), all optional: the config schema accepts
   * them on a provider, and the adapter finds their values in `ProviderContext.settings`.
   */
  settings?: TProperties
  /** A sentence the provider form shows under the type (what to put in the base URL, what is missing). */
  hint?: string
}

export interface ProviderAdapter {
  descriptor: ProviderDescriptor
  /** The client dialect whose requests this upstream accepts byte for byte (after model rewrite). */
  passthrough?: Dialect
  /** How the upstream frames a streamed reply. */
  framing: 'sse' | 'ndjson'

  chatRequest(req: ChatRequest, model: string, ctx: ProviderContext, hint?: ContextHint): UpstreamRequest
  /** Whether `chatRequest` sizes the upstream's context from its ContextHint (only then is one worked out). */
  sizesContext?: boolean
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

  /**
   * One model's context window from a server that states it per model outside its listing (Ollama's
   * /api/show, llama.cpp's /props, LM Studio's /api/v0/models): asked on first use and kept (routing/context-windows.ts).
   */
  contextWindowRequest?(model: string, ctx: ProviderContext): ContextWindowRequest | undefined
  /** The window in that answer (as far as the provider's settings let it be used); undefined when it does not say. */
  contextWindowResponse?(body: unknown, ctx: ProviderContext): number | undefined

  /** Exact prompt token count from the upstream, where it has an endpoint for it. */
  countTokensRequest?(req: ChatRequest, model: string, ctx: ProviderContext): UpstreamRequest
  countTokensResponse?(body: unknown): number
}
