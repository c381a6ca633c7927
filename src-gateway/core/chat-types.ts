// The canonical request/response shapes inside the gateway. They are the OpenAI Chat Completions wire
// format (the shape most providers already speak), plus a few extension fields that carry what other
// formats need to round-trip: Anthropic thinking blocks, cache_control, top_k, Gemini thought signatures.
// Inbound surfaces decode into these; providers translate from and to them.

export type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool'

export interface TextPart {
  type: 'text'
  text: string
  /** Anthropic prompt-caching marker, kept so Anthropic-bound requests don't lose it. */
  cache_control?: CacheControl
}
export interface ImagePart {
  type: 'image_url'
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' }
  cache_control?: CacheControl
}
/** Parts we do not translate (input_audio, file, …): forwarded to OpenAI-shaped upstreams, dropped elsewhere. */
export interface OtherPart {
  type: string
  [k: string]: unknown
}
export type ContentPart = TextPart | ImagePart | OtherPart

export interface CacheControl {
  type: 'ephemeral'
  ttl?: string
}

export interface ToolCall {
  id: string
  type: 'function'
  function: { name: string; arguments: string; thought_signature?: string }
}

/** An Anthropic thinking / redacted_thinking block, kept opaque so it can be sent back byte for byte. */
export interface ThinkingBlock {
  type: 'thinking' | 'redacted_thinking'
  thinking?: string
  signature?: string
  data?: string
}

export interface ChatMessage {
  role: Role
  content?: string | ContentPart[] | null
  name?: string
  tool_calls?: ToolCall[]
  tool_call_id?: string
  /** Reasoning text (DeepSeek / llama.cpp / vLLM convention). */
  reasoning_content?: string
  /** Anthropic thinking blocks of an assistant turn, in order, for exact round-trips. */
  thinking_blocks?: ThinkingBlock[]
  /** A tool result that reported an error (Anthropic `is_error`). */
  is_error?: boolean
  refusal?: string | null
}

export interface FunctionTool {
  type: 'function'
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean }
  cache_control?: CacheControl
}

export type ToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } }

export interface ResponseFormat {
  type: 'text' | 'json_object' | 'json_schema'
  json_schema?: { name: string; schema?: Record<string, unknown>; strict?: boolean; description?: string }
}

export interface ChatRequest {
  model: string
  messages: ChatMessage[]
  stream?: boolean
  stream_options?: { include_usage?: boolean } | null
  max_tokens?: number | null
  max_completion_tokens?: number | null
  temperature?: number | null
  top_p?: number | null
  /** Extension: Anthropic / Gemini / Ollama top_k. */
  top_k?: number
  n?: number | null
  stop?: string | string[] | null
  seed?: number | null
  presence_penalty?: number | null
  frequency_penalty?: number | null
  logit_bias?: Record<string, number> | null
  logprobs?: boolean | null
  top_logprobs?: number | null
  user?: string
  tools?: FunctionTool[]
  tool_choice?: ToolChoice
  parallel_tool_calls?: boolean
  response_format?: ResponseFormat
  reasoning_effort?: string
  /** Extension: Anthropic extended thinking config, e.g. {type:'enabled', budget_tokens:2048}. */
  thinking?: { type: string; budget_tokens?: number }
  metadata?: Record<string, unknown>
  [k: string]: unknown
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call'

export interface Usage {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
  prompt_tokens_details?: { cached_tokens?: number; cache_creation_tokens?: number; [k: string]: unknown }
  completion_tokens_details?: { reasoning_tokens?: number; [k: string]: unknown }
}

export interface ChatResponseMessage {
  role: 'assistant'
  content: string | null
  refusal?: string | null
  tool_calls?: ToolCall[]
  reasoning_content?: string
  thinking_blocks?: ThinkingBlock[]
}

export interface ChatResponse {
  id: string
  object: 'chat.completion'
  created: number
  model: string
  choices: { index: number; message: ChatResponseMessage; finish_reason: FinishReason | null; logprobs?: unknown }[]
  usage?: Usage
  system_fingerprint?: string | null
  /** Extension: the exact upstream stop sequence that matched, when the upstream reports it (Anthropic). */
  stop_sequence?: string | null
}

export interface ToolCallDelta {
  index: number
  id?: string
  type?: 'function'
  function?: { name?: string; arguments?: string; thought_signature?: string }
}

export interface ChunkDelta {
  role?: 'assistant'
  content?: string | null
  refusal?: string | null
  tool_calls?: ToolCallDelta[]
  reasoning_content?: string
  /** Extension: the signature that closes an Anthropic thinking block. */
  reasoning_signature?: string
  /** Extension: an Anthropic redacted_thinking block's opaque data. */
  redacted_thinking?: string
}

export interface ChatChunk {
  id: string
  object: 'chat.completion.chunk'
  created: number
  model: string
  choices: { index: number; delta: ChunkDelta; finish_reason: FinishReason | null; logprobs?: unknown }[]
  usage?: Usage | null
  system_fingerprint?: string | null
  stop_sequence?: string | null
}

export interface EmbeddingsRequest {
  model: string
  input: string | string[] | number[] | number[][]
  encoding_format?: 'float' | 'base64'
  dimensions?: number
  user?: string
}

export interface EmbeddingsResponse {
  object: 'list'
  data: { object: 'embedding'; index: number; embedding: number[] | string }[]
  model: string
  usage: { prompt_tokens: number; total_tokens: number }
}

/** A model a provider offers, as listed by GET /v1/models. */
export interface ModelInfo {
  id: string
  ownedBy?: string
  contextWindow?: number
  created?: number
}
