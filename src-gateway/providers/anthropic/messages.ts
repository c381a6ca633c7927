// Canonical (OpenAI-shaped) conversation → Anthropic `system` + alternating `messages` (protocols.md §8.1, §8.2).

import type { ChatMessage, ContentPart, ImagePart, ThinkingBlock } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { isReplayableThinking } from './thinking.js'
import { parseToolInput, toAnthropicToolId } from './tool-ids.js'
import type {
  AnthropicContentBlock,
  AnthropicDocumentBlock,
  AnthropicImageBlock,
  AnthropicMessage,
  AnthropicTextBlock,
} from './wire-types.js'

type MediaBlock = AnthropicTextBlock | AnthropicImageBlock | AnthropicDocumentBlock

const DATA_URL = /^data:([^;,]+)((?:;[^;,]*)*),(.*)$/s

/**
 * System placement policy: every `system` and `developer` message, wherever it sits, is hoisted into the
 * top-level `system` blocks in order. Anthropic has no mid-conversation system turn; hoisting keeps the
 * instruction's authority (a `[system]` user block would not) at the cost of its position.
 *
 * A trailing assistant message is sent as is: for Anthropic it is a prefill the model continues from.
 */
export function toAnthropicConversation(messages: ChatMessage[]): {
  system: AnthropicTextBlock[]
  messages: AnthropicMessage[]
} {
  const system: AnthropicTextBlock[] = []
  const out: AnthropicMessage[] = []
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]
    switch (m.role) {
      case 'system':
      case 'developer':
        for (const b of toMediaBlocks(m.content, `messages.${i}.content`)) if (b.type === 'text') system.push(b)
        break
      case 'user':
        append(out, 'user', toMediaBlocks(m.content, `messages.${i}.content`))
        break
      case 'assistant':
        append(out, 'assistant', toAssistantBlocks(m, i))
        break
      case 'tool':
        append(out, 'user', [toToolResult(m, i)])
        break
      default:
        throw new GatewayError('invalid_request', `unsupported message role '${String(m.role)}'`, {
          param: `messages.${i}.role`,
        })
    }
  }
  return { system, messages: out }
}

/**
 * Anthropic wants alternating roles, so consecutive same-role turns are merged (consecutive tool messages
 * become one user turn); a user turn lists its tool_result blocks before anything else (pitfall P4).
 * Turns left with no blocks are skipped: Anthropic rejects empty content (pitfall P3).
 */
function append(out: AnthropicMessage[], role: 'user' | 'assistant', blocks: AnthropicContentBlock[]): void {
  if (blocks.length === 0) return
  const last = out[out.length - 1]
  if (last?.role !== role) {
    out.push({ role, content: blocks })
    return
  }
  last.content = last.content.concat(blocks)
  if (role === 'user') last.content = resultsFirst(last.content)
}

function resultsFirst(blocks: AnthropicContentBlock[]): AnthropicContentBlock[] {
  const results: AnthropicContentBlock[] = blocks.filter((b) => b.type === 'tool_result')
  return results.length === 0 ? blocks : results.concat(blocks.filter((b) => b.type !== 'tool_result'))
}

/** Text, image and PDF parts; blank text is dropped (Anthropic rejects it) and untranslatable parts too. */
function toMediaBlocks(content: ChatMessage['content'], param: string): MediaBlock[] {
  if (content == null) return []
  if (typeof content === 'string') return isBlank(content) ? [] : [{ type: 'text', text: content }]
  const blocks: MediaBlock[] = []
  for (let j = 0; j < content.length; j++) {
    const block = toMediaBlock(content[j], `${param}.${j}`)
    if (block) blocks.push(block)
  }
  return blocks
}

function toMediaBlock(part: ContentPart, param: string): MediaBlock | undefined {
  switch (part.type) {
    case 'text': {
      const text = (part as { text?: unknown }).text
      if (typeof text !== 'string' || isBlank(text)) return undefined
      return withCache({ type: 'text', text }, part)
    }
    case 'image_url':
      return withCache({ type: 'image', source: toImageSource((part as ImagePart).image_url?.url, param) }, part)
    case 'file':
      return toDocument(part)
    default:
      return undefined
  }
}

function toImageSource(url: unknown, param: string): AnthropicImageBlock['source'] {
  if (typeof url !== 'string') {
    throw new GatewayError('invalid_request', 'image_url.url must be a string', { param: `${param}.image_url.url` })
  }
  if (url.startsWith('http://') || url.startsWith('https://')) return { type: 'url', url }
  const data = DATA_URL.exec(url)
  if (data?.[2].split(';').includes('base64')) return { type: 'base64', media_type: data[1], data: data[3] }
  throw new GatewayError('invalid_request', 'image_url.url must be an http(s) URL or a base64 data URL', {
    param: `${param}.image_url.url`,
  })
}

/** OpenAI `file` parts carrying an inline PDF become `document` blocks; file ids cannot be resolved here. */
function toDocument(part: ContentPart): AnthropicDocumentBlock | undefined {
  const file = (part as { file?: { file_data?: unknown; filename?: unknown } }).file
  const data = typeof file?.file_data === 'string' ? DATA_URL.exec(file.file_data) : null
  if (data?.[1] !== 'application/pdf' || !data[2].split(';').includes('base64')) return undefined
  const doc: AnthropicDocumentBlock = {
    type: 'document',
    source: { type: 'base64', media_type: data[1], data: data[3] },
  }
  if (typeof file?.filename === 'string') doc.title = file.filename
  return withCache(doc, part)
}

function toAssistantBlocks(m: ChatMessage, i: number): AnthropicContentBlock[] {
  // Thinking blocks go back first and byte for byte (pitfall P7). Bare `reasoning_content` has no
  // signature, which Anthropic requires, so it cannot be replayed and is left out.
  const blocks: AnthropicContentBlock[] = []
  if (m.thinking_blocks) for (const t of m.thinking_blocks) pushThinking(blocks, t)
  for (const b of toMediaBlocks(m.content, `messages.${i}.content`)) if (b.type === 'text') blocks.push(b)
  if (m.tool_calls) {
    for (const call of m.tool_calls) {
      blocks.push({
        type: 'tool_use',
        id: toAnthropicToolId(call.id),
        name: call.function.name,
        input: parseToolInput(call.function.arguments),
      })
    }
  }
  return blocks
}

function pushThinking(blocks: AnthropicContentBlock[], t: ThinkingBlock): void {
  // A signature-only block (empty thinking text) is valid and must survive; one Anthropic did not sign (no
  // signature, or the gateway's marker on another model's reasoning) is not sent.
  if (!isReplayableThinking(t)) return
  if (t.type === 'thinking') blocks.push({ type: 'thinking', thinking: t.thinking ?? '', signature: t.signature ?? '' })
  else blocks.push({ type: 'redacted_thinking', data: t.data ?? '' })
}

function toToolResult(m: ChatMessage, i: number): AnthropicContentBlock {
  if (typeof m.tool_call_id !== 'string' || m.tool_call_id === '') {
    throw new GatewayError('invalid_request', 'a tool message needs the tool_call_id it answers', {
      param: `messages.${i}.tool_call_id`,
    })
  }
  const result: AnthropicContentBlock = { type: 'tool_result', tool_use_id: toAnthropicToolId(m.tool_call_id) }
  if (typeof m.content === 'string') {
    if (!isBlank(m.content)) result.content = m.content
  } else {
    const blocks = toMediaBlocks(m.content, `messages.${i}.content`).filter((b) => b.type !== 'document')
    if (blocks.length > 0) result.content = blocks as (AnthropicTextBlock | AnthropicImageBlock)[]
  }
  if (m.is_error) result.is_error = true
  return result
}

function withCache<T extends MediaBlock>(block: T, part: ContentPart): T {
  const cache = (part as { cache_control?: T['cache_control'] }).cache_control
  if (cache) block.cache_control = cache
  return block
}

function isBlank(text: string): boolean {
  return text.trim() === ''
}
