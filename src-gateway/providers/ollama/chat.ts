// Canonical request → Ollama /api/chat body (protocols.md §5, pitfalls P6, P14, P19). Fields not read
// here are dropped.

import type { ChatMessage, ChatRequest, FunctionTool } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { thinksOnOllama } from '../../core/reasoning-effort.js'
import { parseDataUrl } from '../shared/data-url.js'
import { contentText, isImagePart, parseToolArguments, toolNamesById } from '../shared/message-content.js'
import type { ContextHint, ProviderContext, UpstreamRequest } from '../types.js'
import { OLLAMA_PATHS, ollamaPost } from './api.js'
import { numCtxFor, numCtxSetting } from './num-ctx.js'
import type { OllamaMessage } from './wire-types.js'

/** Canonical sampling fields that map one to one onto `options`. */
const OPTION_FIELDS = [
  ['temperature', 'temperature'],
  ['top_p', 'top_p'],
  ['top_k', 'top_k'],
  ['seed', 'seed'],
  ['presence_penalty', 'presence_penalty'],
  ['frequency_penalty', 'frequency_penalty'],
] as const satisfies readonly (readonly [keyof ChatRequest, string])[]

/** Ollama's `think` takes a boolean, or a level for models that have levels (gpt-oss); others treat a level as on. */
const THINK_BY_EFFORT: Record<string, boolean | string> = {
  none: false,
  minimal: 'low',
  low: 'low',
  medium: 'medium',
  high: 'high',
}

export function chatRequest(
  req: ChatRequest,
  model: string,
  ctx: ProviderContext,
  hint?: ContextHint,
): UpstreamRequest {
  const body = toOllamaRequest(req, model)
  const numCtx = hint && numCtxFor(hint, maxTokensOf(req), numCtxSetting(ctx))
  if (numCtx !== undefined) body.options = { ...(body.options as Record<string, unknown> | undefined), num_ctx: numCtx }
  return ollamaPost(OLLAMA_PATHS.chat, body, ctx)
}

const maxTokensOf = (req: ChatRequest) => req.max_completion_tokens ?? req.max_tokens ?? undefined

export function toOllamaRequest(req: ChatRequest, model: string): Record<string, unknown> {
  // `stream` defaults to true upstream, so it is always sent.
  const body: Record<string, unknown> = { model, messages: toOllamaMessages(req.messages), stream: req.stream === true }
  if (req.tools?.length) body.tools = req.tools.map(toOllamaTool)
  const format = req.response_format
  if (format?.type === 'json_object') body.format = 'json'
  if (format?.type === 'json_schema') body.format = format.json_schema?.schema ?? 'json'
  const think = toThink(req, model)
  if (think !== undefined) body.think = think
  const options = toOptions(req)
  if (Object.keys(options).length > 0) body.options = options
  return body
}

function toOllamaMessages(messages: ChatMessage[]): OllamaMessage[] {
  const names = toolNamesById(messages)
  return messages.map((m, i) => {
    switch (m.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: contentText(m.content) }
      case 'assistant': {
        const out: OllamaMessage = { role: 'assistant', content: contentText(m.content) }
        if (m.tool_calls?.length) {
          // Ollama wants arguments as an object, not OpenAI's JSON string (P14).
          out.tool_calls = m.tool_calls.map((tc) => ({
            function: { name: tc.function.name, arguments: parseToolArguments(tc.function.arguments) },
          }))
        }
        return out
      }
      case 'tool': {
        // Newer builds use tool_name to pair results; older ones ignore it, so an unknown id is not an error.
        const out: OllamaMessage = { role: 'tool', content: contentText(m.content) }
        const name = (m.tool_call_id !== undefined && names.get(m.tool_call_id)) || m.name
        if (name) out.tool_name = name
        return out
      }
      default: {
        const out: OllamaMessage = { role: 'user', content: contentText(m.content) }
        const images = imagesOf(m, i)
        if (images.length > 0) out.images = images
        return out
      }
    }
  })
}

/** Ollama takes raw base64 only; fetching a remote image is I/O a provider must not do. */
function imagesOf(m: ChatMessage, index: number): string[] {
  if (!Array.isArray(m.content)) return []
  const images: string[] = []
  m.content.forEach((p, j) => {
    if (!isImagePart(p)) return
    const inline = parseDataUrl(p.image_url.url)
    if (!inline) {
      const param = `messages[${index}].content[${j}].image_url.url`
      throw new GatewayError(
        'invalid_request',
        `${param}: Ollama accepts images only as base64 data: URLs; download the image and send it as data:image/…;base64,…`,
        { param },
      )
    }
    images.push(inline.data)
  })
  return images
}

function toOllamaTool(tool: FunctionTool): Record<string, unknown> {
  const { strict: _, ...fn } = tool.function
  return { type: 'function', function: fn }
}

function toOptions(req: ChatRequest): Record<string, unknown> {
  const options: Record<string, unknown> = {}
  const maxTokens = maxTokensOf(req)
  if (maxTokens !== undefined) options.num_predict = maxTokens
  for (const [from, to] of OPTION_FIELDS) if (req[from] != null) options[to] = req[from]
  if (req.stop != null) options.stop = typeof req.stop === 'string' ? [req.stop] : req.stop
  return options
}

/**
 * Anthropic-style `thinking` is an on/off switch here, and Anthropic clients (Claude Code) ask for it on most
 * requests, so it is switched on only for models that can think: Ollama answers others with a 400 "does not
 * support thinking". `reasoning_effort` is the caller's own ask for this model and is passed on.
 */
function toThink(req: ChatRequest, model: string): boolean | string | undefined {
  if (req.thinking?.type === 'disabled') return false
  if (req.thinking !== undefined) return thinksOnOllama(model) ? true : undefined
  return req.reasoning_effort === undefined ? undefined : THINK_BY_EFFORT[req.reasoning_effort]
}
