// The parts of Ollama's native API the gateway reads and writes (protocols.md §5).

export interface OllamaToolCall {
  id?: string
  function: { name: string; arguments?: Record<string, unknown> | string; index?: number }
}

export interface OllamaMessage {
  role: string
  content: string
  thinking?: string
  images?: string[]
  tool_calls?: OllamaToolCall[]
  tool_name?: string
}

/** One /api/chat reply, or one NDJSON line of a streamed one. */
export interface OllamaChatResponse {
  model?: string
  created_at?: string
  message?: Partial<OllamaMessage>
  done?: boolean
  done_reason?: string
  prompt_eval_count?: number
  eval_count?: number
  error?: unknown
}
