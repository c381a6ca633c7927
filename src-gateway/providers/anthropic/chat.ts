// Canonical ChatRequest → Anthropic Messages request body. Fields not handled here (n aside) are dropped, so
// OpenAI-only parameters (seed, logit_bias, penalties, logprobs…) never reach Anthropic.

import type { ChatRequest, FunctionTool, ResponseFormat, ToolChoice } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { budgetForEffort } from '../../core/reasoning-effort.js'
import type { ProviderContext, UpstreamRequest } from '../types.js'
import { ANTHROPIC_PATHS, anthropicPost } from './api.js'
import { toAnthropicConversation } from './messages.js'
import { thinkingRefused } from './thinking.js'
import type { AnthropicRequest, AnthropicTextBlock, AnthropicTool, AnthropicToolChoice } from './wire-types.js'

/**
 * `max_tokens` is required by Anthropic and OpenAI clients often omit it (pitfall P6). The default is the
 * model's own output ceiling where that is small (claude-3 Opus/Sonnet/Haiku stop at 4096), otherwise a
 * generous 8192. First matching prefix wins.
 */
const DEFAULT_MAX_TOKENS: readonly [prefix: string, maxTokens: number][] = [
  ['claude-3-5-', 8192],
  ['claude-3-7-', 8192],
  ['claude-3-', 4096],
]
const FALLBACK_MAX_TOKENS = 8192

export function defaultMaxTokens(model: string): number {
  for (const [prefix, max] of DEFAULT_MAX_TOKENS) if (model.startsWith(prefix)) return max
  return FALLBACK_MAX_TOKENS
}

export function toAnthropicRequest(req: ChatRequest, model: string): AnthropicRequest {
  if (typeof req.n === 'number' && req.n > 1) {
    throw new GatewayError('invalid_request', 'Anthropic models return one choice; n must be 1', { param: 'n' })
  }
  if (!Array.isArray(req.messages)) {
    throw new GatewayError('invalid_request', 'messages must be an array', { param: 'messages' })
  }
  const { system, messages } = toAnthropicConversation(req.messages)
  const formatHint = responseFormatInstruction(req.response_format)
  if (formatHint) system.push(formatHint)

  const toolChoice = req.tools?.length ? toAnthropicToolChoice(req.tool_choice, req.parallel_tool_calls) : undefined
  let thinking = thinkingConfig(req)
  if (thinking && thinkingRefused({ thinking, messages, tool_choice: toolChoice })) thinking = undefined
  const thinkingOn = thinking !== undefined && thinking.type !== 'disabled'
  const budget = thinking?.type === 'enabled' ? (thinking.budget_tokens ?? 0) : 0
  let maxTokens = req.max_completion_tokens ?? req.max_tokens ?? defaultMaxTokens(model)
  // Anthropic counts thinking inside max_tokens and wants max_tokens > budget; an OpenAI client's limit means
  // visible output, so the budget is added on top rather than letting the request fail.
  if (budget > 0 && maxTokens <= budget) maxTokens += budget

  const out: AnthropicRequest = { model, max_tokens: maxTokens, messages }
  if (system.length > 0) out.system = system
  // With thinking on, Anthropic rejects changed temperature / top_k and narrow top_p (pitfall P7), so the
  // sampling knobs are left to its defaults.
  if (!thinkingOn) {
    if (req.temperature != null) out.temperature = Math.min(1, Math.max(0, req.temperature))
    if (req.top_p != null) out.top_p = req.top_p
    if (req.top_k != null) out.top_k = req.top_k
  }
  const stop = toStopSequences(req.stop)
  if (stop) out.stop_sequences = stop
  if (req.stream) out.stream = true
  if (req.tools && req.tools.length > 0) {
    out.tools = req.tools.map(toAnthropicTool)
    if (toolChoice) out.tool_choice = toolChoice
  }
  if (thinking) out.thinking = thinking
  if (typeof req.user === 'string' && req.user !== '') out.metadata = { user_id: req.user }
  return out
}

export function chatRequest(req: ChatRequest, model: string, ctx: ProviderContext): UpstreamRequest {
  return anthropicPost(ANTHROPIC_PATHS.messages, toAnthropicRequest(req, model), ctx)
}

function thinkingConfig(req: ChatRequest): AnthropicRequest['thinking'] {
  if (req.thinking && typeof req.thinking.type === 'string') return req.thinking
  // OpenAI clients only know the effort knob (core/reasoning-effort.ts has the table).
  const budget = budgetForEffort(req.reasoning_effort)
  return budget ? { type: 'enabled', budget_tokens: budget } : undefined
}

function toStopSequences(stop: ChatRequest['stop']): string[] | undefined {
  if (stop == null) return undefined
  const list = (typeof stop === 'string' ? [stop] : stop).filter((s) => typeof s === 'string' && s !== '')
  return list.length > 0 ? list : undefined
}

function toAnthropicTool(tool: FunctionTool): AnthropicTool {
  const fn = tool.function
  const out: AnthropicTool = { name: fn.name, input_schema: fn.parameters ?? { type: 'object', properties: {} } }
  if (fn.description) out.description = fn.description
  if (tool.cache_control) out.cache_control = tool.cache_control
  return out
}

const TOOL_CHOICE_TYPE = { auto: 'auto', required: 'any', none: 'none' } as const

/** protocols.md §8.3; `parallel_tool_calls:false` needs a tool_choice to hang on, so it implies `auto`. */
function toAnthropicToolChoice(
  choice: ToolChoice | undefined,
  parallel: boolean | undefined,
): AnthropicToolChoice | undefined {
  let out: AnthropicToolChoice | undefined
  if (typeof choice === 'string') out = { type: TOOL_CHOICE_TYPE[choice] }
  else if (choice?.type === 'function') out = { type: 'tool', name: choice.function.name }
  if (parallel === false) {
    out ??= { type: 'auto' }
    if (out.type !== 'none') out.disable_parallel_tool_use = true
  }
  return out
}

/**
 * `response_format` has no one-to-one Anthropic field (pitfall P19). A forced tool would need the reply
 * rewritten from tool_use back to text, which the stateless response path cannot know to do; instead the
 * request asks for JSON in a last system block, after any cached blocks so cache prefixes stay valid.
 */
function responseFormatInstruction(format: ResponseFormat | undefined): AnthropicTextBlock | undefined {
  if (format?.type === 'json_object') {
    return { type: 'text', text: 'Respond with a single JSON object and nothing else (no prose, no code fences).' }
  }
  if (format?.type === 'json_schema') {
    const schema = format.json_schema?.schema
    return {
      type: 'text',
      text:
        'Respond with a single JSON object and nothing else (no prose, no code fences)' +
        (schema ? `, valid against this JSON Schema: ${JSON.stringify(schema)}` : '.'),
    }
  }
  return undefined
}
