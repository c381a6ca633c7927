import { hash } from 'node:crypto'
import type { ChatMessage, ChatRequest, ContentPart } from '../../core/chat-types.js'

export interface CacheKeys {
  /** Hash of everything that shapes the answer: identical requests, and only those, share it. */
  exact: string
  /** Hash of the same minus the last user message's text: the requests a semantic hit may answer. */
  namespace: string
  /** The last user message's text, to embed for a semantic lookup ('' when there is none). */
  semanticText: string
}

/**
 * Request fields that say who asks, how the answer is delivered or billed, never what it says: a streamed
 * and a non-streamed call, or two users asking the same thing, share one entry.
 */
const NOT_IN_KEY = new Set([
  'stream',
  'stream_options',
  'user',
  'metadata',
  'store',
  'service_tier',
  'safety_identifier',
  'prompt_cache_key',
])

/**
 * Stable JSON: object keys sorted, undefined skipped. Hand-written because this runs on every cached
 * call; it builds the string directly instead of a sorted copy of the request.
 */
function stable(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v)
  if (v === null || typeof v !== 'object') return v === undefined ? 'null' : String(v)
  if (Array.isArray(v)) {
    let out = '['
    for (let i = 0; i < v.length; i++) out += (i > 0 ? ',' : '') + stable(v[i])
    return `${out}]`
  }
  return stableObject(v as Record<string, unknown>, undefined)
}

/** Like `stable` for an object, leaving out the keys in `skip`. */
function stableObject(o: Record<string, unknown>, skip: Set<string> | undefined): string {
  const keys = Object.keys(o).sort()
  let out = '{'
  let first = true
  for (const k of keys) {
    const value = o[k]
    if (value === undefined || skip?.has(k)) continue
    out += `${first ? '' : ','}${JSON.stringify(k)}:${stable(value)}`
    first = false
  }
  return `${out}}`
}

/** Anthropic's prompt-caching marker moves between calls but changes nothing in the answer. */
const MARKERS = new Set(['cache_control'])

function partsText(parts: ContentPart[]): string {
  let text = ''
  for (const p of parts) if (p.type === 'text' && typeof p.text === 'string') text += (text === '' ? '' : '\n') + p.text
  return text
}

/**
 * A message's content in key form ('' for none). One text part is the same content as the plain string.
 * With `withoutText`, text is left out and images and other parts stay: the namespace form.
 */
function contentKey(content: string | ContentPart[], withoutText: boolean): string {
  if (typeof content === 'string') return withoutText ? '' : JSON.stringify(content)
  if (content.length === 1 && content[0].type === 'text') return withoutText ? '' : JSON.stringify(content[0].text)
  let out = ''
  for (const part of content) {
    if (withoutText && part.type === 'text') continue
    out += (out === '' ? '' : ',') + stableObject(part as Record<string, unknown>, MARKERS)
  }
  return out === '' ? '' : `[${out}]`
}

function messageKey(m: ChatMessage, withoutText: boolean): string {
  let out = '{'
  for (const k of Object.keys(m).sort()) {
    const value = m[k as keyof ChatMessage]
    if (value === undefined || value === null) continue
    const text = k === 'content' ? contentKey(value as string | ContentPart[], withoutText) : stable(value)
    if (text === '') continue
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(k)}:${text}`
  }
  return `${out}}`
}

function lastUserIndex(messages: ChatMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') return i
  return -1
}

/** The exact key, the semantic namespace and the text to embed, for one canonical request. */
export function cacheKeys(req: ChatRequest): CacheKeys {
  let head = ''
  for (const k of Object.keys(req).sort()) {
    const value = req[k]
    if (value === undefined || value === null || k === 'messages' || NOT_IN_KEY.has(k)) continue
    const text =
      k === 'tools' && Array.isArray(value)
        ? `[${value.map((t) => stableObject(t as Record<string, unknown>, MARKERS)).join(',')}]`
        : stable(value)
    head += `${JSON.stringify(k)}:${text},`
  }
  const messages = req.messages
  const last = lastUserIndex(messages)
  let before = ''
  let after = ''
  for (let i = 0; i < messages.length; i++) {
    if (i === last) continue
    const m = `${messageKey(messages[i], false)},`
    if (i < last) before += m
    else after += m
  }
  let exactLast = ''
  let namespaceLast = ''
  let semanticText = ''
  if (last >= 0) {
    const m = messages[last]
    exactLast = messageKey(m, false)
    namespaceLast = messageKey(m, true)
    semanticText = typeof m.content === 'string' ? m.content : Array.isArray(m.content) ? partsText(m.content) : ''
  }
  return {
    exact: hash('sha256', `x{${head}"messages":[${before}${exactLast},${after}]}`, 'base64url'),
    namespace: hash('sha256', `n{${head}"messages":[${before}${namespaceLast},${after}]}`, 'base64url'),
    semanticText,
  }
}
