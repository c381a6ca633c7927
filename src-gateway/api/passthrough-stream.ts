import type { Usage } from '../core/chat-types.js'
import { GatewayError } from '../core/errors.js'
import type { StreamFrame } from '../core/sse.js'
import {
  countsFromAnthropicUsage,
  countsFromUsage,
  KEPT_TEXT_CHARS,
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
