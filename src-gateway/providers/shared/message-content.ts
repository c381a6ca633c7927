// Reading canonical messages for upstreams whose messages are plainer than OpenAI's.

import type { ChatMessage, ContentPart, ImagePart, TextPart } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { isPlainObject } from '../../core/json-values.js'

export function isTextPart(p: ContentPart): p is TextPart {
  return p.type === 'text' && typeof (p as TextPart).text === 'string'
}

export function isImagePart(p: ContentPart): p is ImagePart {
  return p.type === 'image_url' && typeof (p as ImagePart).image_url?.url === 'string'
}

/** The text of a message's content; text parts are joined by newlines, other parts ignored. */
export function contentText(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content
    .filter(isTextPart)
    .map((p) => p.text)
    .join('\n')
}

/**
 * Tool call id → function name, from the assistant turns of the history. OpenAI tool results carry only
 * the id, while Gemini and Ollama want the name (pitfall P4).
 */
export function toolNamesById(messages: ChatMessage[]): Map<string, string> {
  const names = new Map<string, string>()
  for (const m of messages) {
    if (m.role !== 'assistant') continue
    for (const tc of m.tool_calls ?? []) names.set(tc.id, tc.function.name)
  }
  return names
}

/** The name for a tool result; a result that answers no known call is the client's mistake, said plainly. */
export function toolResultName(names: Map<string, string>, m: ChatMessage, index: number): string {
  const name = (m.tool_call_id !== undefined && names.get(m.tool_call_id)) || m.name
  if (name) return name
  throw new GatewayError(
    'invalid_request',
    `messages[${index}] is a tool result for tool_call_id '${m.tool_call_id ?? ''}', which no earlier assistant tool_calls entry has`,
    { param: `messages[${index}].tool_call_id` },
  )
}

/**
 * A tool call's JSON-string arguments as the object Gemini and Ollama require. Empty or broken arguments
 * (a call cut off by max_tokens) become `{}` so the history is still accepted.
 */
export function parseToolArguments(args: string | undefined): Record<string, unknown> {
  if (!args) return {}
  try {
    const value: unknown = JSON.parse(args)
    return isPlainObject(value) ? value : {}
  } catch {
    return {}
  }
}
