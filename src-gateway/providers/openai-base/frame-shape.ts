// Within one OpenAI-style stream, almost every frame is the previous frame with another piece of text:
// the same id, created, model, fingerprint and choice, only `delta.content` differs. Such a frame need not
// be parsed: its chunk is the previous chunk with the new text. Parsing every frame was the largest single
// cost of translating a stream (about a tenth of the CPU with Anthropic callers).

import type { ChatChunk } from '../../core/chat-types.js'

const KEY = '"content"'

type Flat = Record<string, unknown>

/** True when every value is a primitive, except the keys allowed to hold the nested parts. */
function flat(o: Flat, nested?: string): boolean {
  for (const k in o) {
    const v = o[k]
    if (v !== null && typeof v === 'object' && k !== nested) return false
  }
  return true
}

/** Index of the first unescaped `"` at or after `from`; -1 when a raw control character (not JSON) comes first. */
function stringEnd(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 0x22) return i
    if (c === 0x5c) i++
    else if (c < 0x20) return -1
  }
  return -1
}

export interface FrameShapes {
  /** The chunk for `data` when it is the last remembered frame with other text; else undefined (parse it). */
  reuse(data: string): ChatChunk | undefined
  /** Remembers a parsed, normalised frame as the shape to match, when it is a plain text delta. */
  remember(data: string, chunk: ChatChunk): void
}

export function createFrameShapes(): FrameShapes {
  let prefix = ''
  let suffix = ''
  let template: ChatChunk | undefined

  return {
    reuse(data) {
      if (!template) return undefined
      const close = data.length - suffix.length - 1
      // The text between must be exactly one string literal: its first unescaped quote is the one before
      // the suffix. (Slices compared with === are faster than startsWith/endsWith here.)
      if (close < prefix.length || stringEnd(data, prefix.length) !== close) return undefined
      if (data.slice(0, prefix.length) !== prefix || data.slice(close + 1) !== suffix) return undefined
      const literal = data.slice(prefix.length, close)
      const content = literal.includes('\\') ? (JSON.parse(`"${literal}"`) as string) : literal
      const choice = template.choices[0]
      return { ...template, choices: [{ ...choice, delta: { ...choice.delta, content } }] }
    },
    remember(data, chunk) {
      template = undefined
      if (chunk.choices.length !== 1) return
      const choice = chunk.choices[0]
      if (choice.finish_reason !== null || typeof choice.delta.content !== 'string') return
      if (!flat(chunk as unknown as Flat, 'choices') || !flat(choice as unknown as Flat, 'delta')) return
      if (!flat(choice.delta as Flat)) return
      // With no escapes around the text every key is spelled out, so a single `"content"` in the frame is the
      // delta's own key, and the text between prefix and suffix can only be delta.content.
      const at = data.indexOf(KEY)
      if (at < 0 || data.indexOf(KEY, at + 1) >= 0 || data.charCodeAt(at + KEY.length) !== 0x3a) return
      const start = at + KEY.length + 2
      if (data.charCodeAt(start - 1) !== 0x22) return
      const end = stringEnd(data, start)
      if (end < 0) return
      prefix = data.slice(0, start)
      suffix = data.slice(end + 1)
      if (prefix.includes('\\') || suffix.includes('\\')) return
      // A copy: the chunk itself goes on to encoders that may change it.
      template = { ...chunk, choices: [{ ...choice, delta: { ...choice.delta } }] }
    },
  }
}
