// Canonical messages → Gemini `contents` + `systemInstruction` (protocols.md §4, §8.1, §8.2).
// Policy for system/developer messages anywhere in the conversation: all are hoisted, in order, into
// systemInstruction (Gemini has no mid-conversation system turn); their position is lost.

import type { ChatMessage, ContentPart } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { isPlainObject, parseJsonOrUndefined } from '../../core/json-values.js'
import { parseDataUrl } from '../shared/data-url.js'
import {
  contentText,
  isImagePart,
  isTextPart,
  parseToolArguments,
  toolNamesById,
  toolResultName,
} from '../shared/message-content.js'
import { mimeTypeFromUrl } from '../shared/mime-types.js'
import type { GeminiContent, GeminiPart } from './wire-types.js'

export interface GeminiConversation {
  systemInstruction?: { parts: GeminiPart[] }
  contents: GeminiContent[]
}

/** What Google documents to send as the signature of a function call that has none (a "context engineering" case). */
export const PLACEHOLDER_THOUGHT_SIGNATURE = 'skip_thought_signature_validator'

export function toGeminiConversation(messages: ChatMessage[], placeholderSignatures = false): GeminiConversation {
  const names = toolNamesById(messages)
  const system: GeminiPart[] = []
  const contents: GeminiContent[] = []
  // Gemini wants alternating turns, so consecutive same-role messages (N tool results, a user text
  // after them) become one turn (pitfall P18).
  const append = (role: GeminiContent['role'], parts: GeminiPart[]) => {
    if (parts.length === 0) return
    const last = contents.at(-1)
    if (last?.role === role) last.parts.push(...parts)
    else contents.push({ role, parts })
  }
  messages.forEach((m, i) => {
    switch (m.role) {
      case 'system':
      case 'developer':
        system.push(...textParts(m.content))
        break
      case 'user':
        append('user', userParts(m.content, i))
        break
      case 'assistant':
        append('model', modelParts(m, placeholderSignatures))
        break
      case 'tool':
        append('user', [functionResponsePart(m, toolResultName(names, m, i))])
        break
    }
  })
  return system.length > 0 ? { systemInstruction: { parts: system }, contents } : { contents }
}

/** Gemini rejects empty text parts, so they are left out. */
function textParts(content: ChatMessage['content']): GeminiPart[] {
  const text = contentText(content)
  return text === '' ? [] : [{ text }]
}

function userParts(content: ChatMessage['content'], index: number): GeminiPart[] {
  if (!Array.isArray(content)) return textParts(content)
  const parts: GeminiPart[] = []
  content.forEach((p, j) => {
    const part = toGeminiPart(p, `messages[${index}].content[${j}]`)
    if (part) parts.push(part)
  })
  return parts
}

/** Text and media parts; part types Gemini has no equivalent for are dropped. */
function toGeminiPart(p: ContentPart, param: string): GeminiPart | undefined {
  if (isTextPart(p)) return p.text === '' ? undefined : { text: p.text }
  if (isImagePart(p)) return mediaPart(p.image_url.url, param)
  if (p.type === 'input_audio' && isPlainObject(p.input_audio)) {
    const { data, format } = p.input_audio
    if (typeof data === 'string' && typeof format === 'string')
      return { inlineData: { mimeType: `audio/${format}`, data } }
  }
  if (p.type === 'file' && isPlainObject(p.file) && typeof p.file.file_data === 'string') {
    return mediaPart(p.file.file_data, param)
  }
  return undefined
}

function mediaPart(url: string, param: string): GeminiPart {
  const inline = parseDataUrl(url)
  if (inline) return { inlineData: inline }
  if (/^https?:\/\//i.test(url)) return { fileData: { mimeType: mimeTypeFromUrl(url, 'image/jpeg'), fileUri: url } }
  throw new GatewayError('invalid_request', `${param}: Gemini accepts http(s) URLs or base64 data: URLs`, { param })
}

function modelParts(m: ChatMessage, placeholderSignatures: boolean): GeminiPart[] {
  const parts = textParts(m.content)
  for (const [k, tc] of (m.tool_calls ?? []).entries()) {
    const part: GeminiPart = {
      functionCall: { name: tc.function.name, args: parseToolArguments(tc.function.arguments) },
    }
    // Gemini 3 rejects a functionCall part whose signature is not echoed back (pitfall P8); only the first
    // call of a turn carries one.
    if (tc.function.thought_signature) part.thoughtSignature = tc.function.thought_signature
    else if (k === 0 && placeholderSignatures) part.thoughtSignature = PLACEHOLDER_THOUGHT_SIGNATURE
    parts.push(part)
  }
  return parts
}

/** `response` must be a JSON object: anything else (plain text, an array, a number) is wrapped. */
function functionResponsePart(m: ChatMessage, name: string): GeminiPart {
  const text = contentText(m.content)
  const parsed = parseJsonOrUndefined(text)
  const response = isPlainObject(parsed) ? parsed : { result: parsed ?? text }
  return { functionResponse: { name, response } }
}
