// Canonical request → OpenAI Chat Completions body (protocols.md §1, §7 "general rules").
// The canonical format *is* OpenAI's, so unknown vendor fields (llama.cpp's `chat_template_kwargs`,
// vLLM's `guided_json`) pass through; only the gateway's own extension fields and what a server is known
// to reject are removed.

import type { ChatMessage, ChatRequest, ContentPart, FunctionTool, ResponseFormat } from '../../core/chat-types.js'
import { effortForBudget, takesReasoningEffort } from '../../core/reasoning-effort.js'

export interface OpenAIRequestOptions {
  /** OpenAI itself: keep OpenAI-only fields. Compatible servers: map or drop them (pitfalls P5, P6). */
  strictOpenAI: boolean
}

/** Gateway extensions that no OpenAI-shaped server understands. */
const EXTENSION_FIELDS = ['thinking'] as const
/** Extensions OpenAI rejects but llama.cpp, vLLM and LM Studio accept as sampling knobs. */
const STRICT_ONLY_DROPS = ['top_k'] as const
/** OpenAI-only request fields that compatible servers reject or misread. */
const COMPATIBLE_DROPS = ['store', 'metadata', 'service_tier', 'prediction'] as const

export function toOpenAIRequest(req: ChatRequest, model: string, opts: OpenAIRequestOptions): Record<string, unknown> {
  const loopStart = currentToolLoopStart(req.messages)
  const messages = req.messages.map((m, i) => toOpenAIMessage(m, opts, i >= loopStart))
  const body: Record<string, unknown> = { ...req, model, messages }
  for (const k of EXTENSION_FIELDS) delete body[k]
  const effort = reasoningEffort(req, model)
  if (effort) body.reasoning_effort = effort
  for (const k of opts.strictOpenAI ? STRICT_ONLY_DROPS : COMPATIBLE_DROPS) delete body[k]
  if (req.tools) body.tools = req.tools.map((t) => toOpenAITool(t, opts))
  if (req.response_format && !opts.strictOpenAI) body.response_format = withoutStrictSchema(req.response_format)
  if (!opts.strictOpenAI && req.max_completion_tokens != null) {
    body.max_tokens ??= req.max_completion_tokens
    delete body.max_completion_tokens
  }
  // The gateway accounts every streamed call, so it always asks for the usage chunk (pitfall P15); the
  // client surface strips it again for clients that did not ask. Non-stream calls must not send it.
  if (req.stream) body.stream_options = { ...req.stream_options, include_usage: true }
  else delete body.stream_options
  return body
}

/**
 * Anthropic clients ask for thinking with a token budget; a model known to take `reasoning_effort` gets it
 * as the matching effort (core/reasoning-effort.ts), any other model nothing, as servers reject it for those.
 */
function reasoningEffort(req: ChatRequest, model: string): string | undefined {
  if (req.reasoning_effort !== undefined || req.thinking?.type !== 'enabled') return undefined
  const budget = req.thinking.budget_tokens
  return typeof budget === 'number' && takesReasoningEffort(model) ? effortForBudget(budget) : undefined
}

/** Index of the first message after the last user message: the assistant and tool turns of the running tool loop. */
function currentToolLoopStart(messages: ChatMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') return i + 1
  return 0
}

function toOpenAIMessage(m: ChatMessage, opts: OpenAIRequestOptions, inToolLoop: boolean): Record<string, unknown> {
  const { thinking_blocks: _thinking, is_error: _isError, ...out } = m as ChatMessage & Record<string, unknown>
  // Many compatible servers reject the `developer` role (pitfall P5).
  if (out.role === 'developer' && !opts.strictOpenAI) out.role = 'system'
  // DeepSeek- and Kimi-style servers want the model's reasoning passed back within a tool loop (P7), while
  // deepseek-reasoner rejects it on earlier turns and OpenAI rejects the field outright.
  if (opts.strictOpenAI || !inToolLoop) delete out.reasoning_content
  if (Array.isArray(m.content)) out.content = m.content.map(withoutCacheControl)
  if (m.tool_calls) {
    out.tool_calls = m.tool_calls.map(({ function: { thought_signature: _sig, ...fn }, ...tc }) => ({
      ...tc,
      function: fn,
    }))
  }
  return out
}

function withoutCacheControl(part: ContentPart): ContentPart {
  if (!('cache_control' in part)) return part
  const { cache_control: _, ...rest } = part
  return rest as ContentPart
}

function toOpenAITool(tool: FunctionTool, opts: OpenAIRequestOptions): FunctionTool {
  const { cache_control: _, ...rest } = tool
  if (opts.strictOpenAI || rest.function.strict === undefined) return rest
  const { strict: _strict, ...fn } = rest.function
  return { ...rest, function: fn }
}

/** `strict` is OpenAI's structured-output switch; compatible servers enforce the schema without it. */
function withoutStrictSchema(format: ResponseFormat): ResponseFormat {
  if (format.json_schema?.strict === undefined) return format
  const { strict: _, ...schema } = format.json_schema
  return { ...format, json_schema: schema }
}
