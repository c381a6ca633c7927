import { isAscii } from 'node:buffer'
import { MAX_STREAM_LINE_CHARS, replyTooLarge } from '../core/bounded-read.js'
import type { Usage } from '../core/chat-types.js'
import { GatewayError } from '../core/errors.js'
import { createSseParser, type StreamFrame } from '../core/sse.js'
import {
  countsFromAnthropicUsage,
  countsFromUsage,
  framedRelay,
  KEPT_TEXT_CHARS,
  type StreamRelay,
  type StreamTranslator,
  type TokenCounts,
} from './stream-accounting.js'

// Pass-through streams re-emit each upstream frame as it came and parse JSON only for the frames that
// carry usage or signal an error: that is all the gateway needs to know.

const USAGE = /"usage":\s*\{/

/**
 * The frames of a stream up to KEPT_TEXT_CHARS, for the answer's text; later ones pass through without
 * being kept. Usage and the end of the stream are read from every frame, so the counts stay exact.
 */
class FramePrefix {
  readonly kept: string[] = []
  private chars = 0

  add(data: string): void {
    if (this.chars + data.length > KEPT_TEXT_CHARS) return
    this.kept.push(data)
    this.chars += data.length
  }
}

function reframe(prefix: string, data: string): string {
  return `${prefix}data: ${data.includes('\n') ? data.replaceAll('\n', '\ndata: ') : data}\n\n`
}

/** A frame the gateway must read; one that is not a JSON object is the upstream's failure, as in the decoders. */
function parseFrame(data: string): object {
  let frame: unknown
  try {
    frame = JSON.parse(data)
  } catch {
    // reported below
  }
  if (frame === null || typeof frame !== 'object') {
    throw new GatewayError('upstream', `upstream stream sent a frame that is not a JSON object: ${data.slice(0, 200)}`)
  }
  return frame
}

function upstreamStreamError(data: string): GatewayError {
  let message = 'upstream reported an error mid-stream'
  try {
    const e = JSON.parse(data).error
    if (e?.message) message = String(e.message)
  } catch {
    // keep the generic message: the frame was not JSON
  }
  return new GatewayError('upstream', message)
}

/** OpenAI SSE from an OpenAI-shaped upstream to an OpenAI client. */
export function openaiPassthroughStream(clientWantsUsage: boolean): StreamTranslator {
  let usage: Usage | undefined
  let done = false
  // Frames are kept (they are already strings) and parsed only when the answer's text is needed: for a
  // token estimate when the upstream reports no usage, and for the request log when rows are written.
  const seen = new FramePrefix()
  return {
    frames(frames: StreamFrame[]) {
      let out = ''
      for (const f of frames) {
        const d = f.data
        if (d === '[DONE]') {
          done = true
          continue
        }
        seen.add(d)
        if (d.startsWith('{"error"')) throw upstreamStreamError(d)
        if (USAGE.test(d)) {
          const chunk = parseFrame(d) as { choices?: unknown[] | null; usage?: Usage }
          usage = chunk.usage
          // The usage-only chunk exists because the gateway asked for it (P15).
          if (!clientWantsUsage && (!chunk.choices || chunk.choices.length === 0)) continue
        }
        out += reframe('', d)
      }
      return out
    },
    end() {
      if (!done) throw new GatewayError('upstream', 'upstream stream ended before [DONE]')
      return 'data: [DONE]\n\n'
    },
    counts: () => countsFromUsage(usage),
    outputText: () => seen.kept.map(deltaText).join(''),
  }
}

const LF = 10
const CR = 13
const SPACE = 32
const TAB = 9
const OPEN_BRACE = 123
const NOTHING: Buffer[] = []
// Searched for without its opening quote, as in deltaText: V8's indexOf scans for the first character.
const USAGE_KEY = 'usage":'

const isJsonSpace = (c: number) => c === SPACE || c === TAB || c === LF || c === CR

/**
 * Whether the frame data `s[v, e)` has a `"usage": {`, as the frame translator's USAGE pattern reads it (any JSON
 * whitespace before the brace: a frame of several data lines is joined with `\n`).
 */
function carriesUsage(s: string, v: number, e: number): boolean {
  const at = s.indexOf(USAGE_KEY, v)
  if (at === -1 || at >= e || s.charCodeAt(at - 1) !== QUOTE) return false
  let w = at + USAGE_KEY.length
  while (isJsonSpace(s.charCodeAt(w))) w++
  return s.charCodeAt(w) === OPEN_BRACE
}

/** A frame's text as sent: frames are searched as latin1 (one character per byte), and parsed as UTF-8. */
const utf8 = (latin1: string) => Buffer.from(latin1, 'latin1').toString('utf8')

/**
 * OpenAI SSE from an OpenAI-shaped upstream to an OpenAI client, relayed as the upstream's own bytes: a chunk's
 * whole frames are written as slices of the chunk (no string is built for the client, nothing is re-encoded), and
 * only the usage chunk and an error are parsed. The usage chunk is left out when the gateway asked for it and the
 * client did not. A frame's unfinished end waits for the chunk that ends it.
 *
 * Frames are searched for as latin1 text, where a character's index is its byte's offset in the chunk (and, in
 * an all-ASCII chunk, the text itself). They end with a blank line (`\n\n`); an upstream that ends its lines with
 * `\r` is relayed through the parser and openaiPassthroughStream instead, from the chunk where the first `\r`
 * shows up.
 */
export function openaiPassthroughRelay(clientWantsUsage: boolean): StreamRelay {
  let usage: Usage | undefined
  let done = false
  /** The start of a frame that has not ended yet, as it came. */
  let pending: Buffer[] = []
  let pendingBytes = 0
  /** The answer's text, read from each frame as it passes (up to KEPT_TEXT_CHARS), for the log and estimates. */
  let text = ''
  /** Whether the chunk being read is all ASCII, so its latin1 text is its text. */
  let ascii = true
  let framed: StreamRelay | undefined

  const hold = (b: Buffer) => {
    if (pendingBytes + b.length > MAX_STREAM_LINE_CHARS) {
      throw replyTooLarge(undefined, ' in one stream line', MAX_STREAM_LINE_CHARS)
    }
    pending.push(b)
    pendingBytes += b.length
  }

  const takePending = (chunk?: Buffer): Buffer => {
    const buf = Buffer.concat(chunk ? [...pending, chunk] : pending)
    pending = []
    pendingBytes = 0
    return buf
  }

  /** The data of a frame, `s[v, e)`: false when the frame is left out (the usage chunk nobody asked for). */
  const readData = (s: string, v: number, e: number): boolean => {
    if (e - v === 6 && s.startsWith('[DONE]', v)) {
      done = true
      return true
    }
    if (s.startsWith('{"error"', v)) throw upstreamStreamError(utf8(s.slice(v, e)))
    if (!carriesUsage(s, v, e)) {
      if (text.length < KEPT_TEXT_CHARS) {
        const piece = deltaText(ascii ? s.slice(v, e) : utf8(s.slice(v, e)))
        if (text.length + piece.length <= KEPT_TEXT_CHARS) text += piece
      }
      return true
    }
    const chunk = parseFrame(utf8(s.slice(v, e))) as { choices?: unknown[] | null; usage?: Usage | null }
    if (chunk.usage) usage = chunk.usage
    // The usage-only chunk exists because the gateway asked for it (P15).
    return clientWantsUsage || (Array.isArray(chunk.choices) && chunk.choices.length > 0)
  }

  /**
   * The frame `s[a, b)`. OpenAI writes one `data:` line per frame (JSON holds no raw newline); a frame of several
   * is read joined, as SSE joins them. Other lines (`event:`, `id:`, comments) are relayed unread.
   */
  const readFrame = (s: string, a: number, b: number): boolean => {
    let lines: string[] | undefined
    let first = -1
    let firstEnd = -1
    for (let l = a; l < b; ) {
      let e = s.indexOf('\n', l)
      if (e === -1 || e > b) e = b
      if (s.startsWith('data:', l)) {
        let v = l + 5
        if (s.charCodeAt(v) === SPACE) v++
        if (first === -1) {
          first = v
          firstEnd = e
        } else {
          lines ??= [s.slice(first, firstEnd)]
          lines.push(s.slice(v, e))
        }
      }
      l = e + 1
    }
    if (first === -1) return true
    if (!lines) return readData(s, first, firstEnd)
    const joined = lines.join('\n')
    return readData(joined, 0, joined.length)
  }

  /** Relays `buf`'s whole frames; the rest waits. */
  const relay = (buf: Buffer, s: string): Buffer[] => {
    ascii = isAscii(buf)
    const out: Buffer[] = []
    let from = 0
    let a = 0
    for (let b = s.indexOf('\n\n'); b !== -1; b = s.indexOf('\n\n', a)) {
      if (!readFrame(s, a, b)) {
        if (a > from) out.push(buf.subarray(from, a))
        from = b + 2
      }
      a = b + 2
    }
    if (a > from) out.push(buf.subarray(from, a))
    if (a < buf.length) hold(buf.subarray(a))
    return out
  }

  const viaParser = (buf: Buffer) => {
    framed = framedRelay(createSseParser(), openaiPassthroughStream(clientWantsUsage))
    return framed.push(buf)
  }

  return {
    push(chunk) {
      if (framed) return framed.push(chunk)
      const s = chunk.toString('latin1')
      if (!done && s.indexOf('\r') !== -1) return viaParser(pending.length > 0 ? takePending(chunk) : chunk)
      if (pending.length === 0) return relay(chunk, s)
      // A frame left unfinished: joined to this chunk only once this one ends it (a long frame costs one pass).
      const last = pending[pending.length - 1]
      if (s.indexOf('\n\n') === -1 && !(last[last.length - 1] === LF && s.charCodeAt(0) === LF)) {
        hold(chunk)
        return NOTHING
      }
      const buf = takePending(chunk)
      return relay(buf, buf.toString('latin1'))
    },
    flush() {
      if (framed) return framed.flush()
      if (pending.length === 0) return NOTHING
      // A last frame with no blank line after it is still read (as the parser's flush does), and ended for the client.
      const buf = takePending()
      const s = buf.toString('latin1')
      let end = s.length
      while (end > 0 && s.charCodeAt(end - 1) === LF) end--
      if (end === 0) return [buf]
      ascii = isAscii(buf)
      if (!readFrame(s, 0, end)) return NOTHING
      return [buf, Buffer.from(s.endsWith('\n') ? '\n' : '\n\n')]
    },
    end() {
      if (framed) return framed.end()
      if (!done) throw new GatewayError('upstream', 'upstream stream ended before [DONE]')
      return ''
    },
    counts: () => framed?.counts() ?? countsFromUsage(usage),
    outputText: () => text + (framed?.outputText() ?? ''),
  }
}

function anthropicDeltaText(data: string): string {
  try {
    const text = JSON.parse(data).delta?.text
    return typeof text === 'string' ? text : ''
  } catch {
    return ''
  }
}

// The content of an OpenAI chunk, read without parsing the whole chunk: this runs for every frame of
// every logged stream. A chunk without a delta (usage) or with an empty one (the finish) has none; anything
// unusual (no plain `"delta":{"content":"…"` string) falls back to JSON.parse. The key is searched for
// without its opening quote: V8's indexOf scans for the pattern's first character, and a chunk is mostly
// quotes (0.5 -> 0.1 µs a frame).
const DELTA = 'delta":{'
const ROLE = '"role":"assistant",'
const CONTENT = '"content":"'
const QUOTE = 34
const CLOSE_BRACE = 125

function deltaText(data: string): string {
  let at = data.indexOf(DELTA)
  if (at > 0 && data.charCodeAt(at - 1) === QUOTE) {
    at += DELTA.length
    if (data.charCodeAt(at) === CLOSE_BRACE) return ''
    if (data.startsWith(ROLE, at)) at += ROLE.length
    if (data.startsWith(CONTENT, at)) {
      const start = at + CONTENT.length
      const end = closingQuote(data, start)
      if (end > 0) {
        const raw = data.slice(start, end)
        return raw.includes('\\') ? JSON.parse(`"${raw}"`) : raw
      }
    }
  } else if (!data.includes('"delta"')) return ''
  try {
    const content = JSON.parse(data).choices?.[0]?.delta?.content
    return typeof content === 'string' ? content : ''
  } catch {
    return ''
  }
}

/** Index of the quote that ends a JSON string starting at `from`: the first one not escaped by a backslash. */
function closingQuote(s: string, from: number): number {
  for (let q = s.indexOf('"', from); q >= 0; q = s.indexOf('"', q + 1)) {
    let slashes = 0
    while (s.charCodeAt(q - 1 - slashes) === 92) slashes++
    if (slashes % 2 === 0) return q
  }
  return -1
}

/** What is read of Anthropic's message_start and message_delta frames. */
interface AnthropicFrame {
  message?: { usage?: Record<string, number> }
  usage?: Record<string, number>
}

/** Anthropic SSE from an Anthropic upstream to an Anthropic client. */
export function anthropicPassthroughStream(): StreamTranslator {
  let counts: TokenCounts | undefined
  let startUsage: Record<string, number> | undefined
  let done = false
  // Text deltas, parsed only if the answer's text is asked for (the request log).
  const deltas = new FramePrefix()
  return {
    frames(frames: StreamFrame[]) {
      let out = ''
      for (const f of frames) {
        const ev = f.event
        if (ev === 'message_start') {
          startUsage = (parseFrame(f.data) as AnthropicFrame).message?.usage
          counts = countsFromAnthropicUsage(startUsage)
        } else if (ev === 'message_delta') {
          // message_delta usage is cumulative and may repeat the input counts (P16).
          counts = countsFromAnthropicUsage({ ...startUsage, ...(parseFrame(f.data) as AnthropicFrame).usage })
        } else if (ev === 'content_block_delta') deltas.add(f.data)
        else if (ev === 'message_stop') done = true
        else if (ev === 'error') {
          out += reframe('event: error\n', f.data)
          done = true
          continue
        }
        out += reframe(ev ? `event: ${ev}\n` : '', f.data)
      }
      return out
    },
    end() {
      if (!done) throw new GatewayError('upstream', 'upstream stream ended before message_stop')
      return ''
    },
    counts: () => counts,
    outputText: () => deltas.kept.map(anthropicDeltaText).join(''),
  }
}
