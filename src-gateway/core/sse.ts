import { StringDecoder } from 'node:string_decoder'
import { MAX_STREAM_LINE_CHARS, replyTooLarge } from './bounded-read.js'

/** One decoded stream frame: an SSE event (`event` may be absent) or one NDJSON line (`data` only). */
export interface StreamFrame {
  event?: string
  data: string
}

export interface FrameParser {
  /** Feed raw bytes; returns the frames completed by them. */
  push(chunk: Buffer | string): StreamFrame[]
  /** End of input: returns a last frame that had no terminating blank line, if any. */
  flush(): StreamFrame[]
}

/**
 * Server-sent events parser (WHATWG rules that matter here): events split across chunks, `\r\n` and
 * `\r` line ends (even when split between chunks), multi-line `data:`, `:` comment lines (llama.cpp
 * pings, proxy keep-alives), and UTF-8 characters cut between chunks.
 */
export function createSseParser(): FrameParser {
  const decoder = new StringDecoder('utf8')
  let buf = ''
  let event: string | undefined
  let data: string | undefined
  let pendingCR = false

  const dispatch = (out: StreamFrame[]) => {
    if (data !== undefined) out.push(event === undefined ? { data } : { event, data })
    event = undefined
    data = undefined
  }

  /** The line `s[a, b)`, read in place: a stream has dozens of frames, so only a field's value is sliced. */
  const line = (s: string, a: number, b: number, out: StreamFrame[]) => {
    if (a === b) return dispatch(out)
    if (s.charCodeAt(a) === 58 /* : */) return
    const isData = s.startsWith('data', a) && (a + 4 === b || s.charCodeAt(a + 4) === 58)
    const isEvent = !isData && s.startsWith('event', a) && (a + 5 === b || s.charCodeAt(a + 5) === 58)
    if (!isData && !isEvent) return
    let v = a + (isData ? 5 : 6)
    if (v < b && s.charCodeAt(v) === 32) v++
    const value = v < b ? s.slice(v, b) : ''
    if (isEvent) event = value
    else data = data === undefined ? value : `${data}\n${value}`
  }

  // Only the new text is searched for line ends: `buf` holds the start of an unfinished line, which is
  // joined to its end once, so a long line costs one pass, not one pass per chunk.
  const consume = (text: string, out: StreamFrame[]) => {
    if (pendingCR && text.charCodeAt(0) === 10) text = text.slice(1)
    pendingCR = false
    let start = 0
    // Servers that end lines with \n alone have no \r at all: one search says so for the whole chunk.
    let cr = text.indexOf('\r')
    for (;;) {
      if (cr !== -1 && cr < start) cr = text.indexOf('\r', start)
      const nl = text.indexOf('\n', start)
      let end: number
      let next: number
      if (cr !== -1 && (nl === -1 || cr < nl)) {
        end = cr
        if (cr + 1 === text.length) {
          pendingCR = true
          next = cr + 1
        } else next = text.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1
      } else if (nl !== -1) {
        end = nl
        next = nl + 1
      } else break
      if (buf === '') line(text, start, end, out)
      else {
        const whole = buf + text.slice(start, end)
        buf = ''
        line(whole, 0, whole.length, out)
      }
      start = next
    }
    if (start < text.length) buf = keepPartial(buf, start === 0 ? text : text.slice(start))
  }

  return {
    push(chunk) {
      const out: StreamFrame[] = []
      consume(typeof chunk === 'string' ? chunk : decoder.write(chunk), out)
      return out
    },
    flush() {
      const out: StreamFrame[] = []
      consume(decoder.end(), out)
      if (buf !== '') line(buf, 0, buf.length, out)
      buf = ''
      dispatch(out)
      return out
    },
  }
}

/** The unfinished line so far plus `more`; an upstream that never ends its line is cut off here. */
function keepPartial(buf: string, more: string): string {
  if (buf.length + more.length > MAX_STREAM_LINE_CHARS) {
    throw replyTooLarge(undefined, ' in one stream line', MAX_STREAM_LINE_CHARS)
  }
  return buf === '' ? more : buf + more
}

/** Newline-delimited JSON (Ollama): one frame per non-empty line. */
export function createNdjsonParser(): FrameParser {
  const decoder = new StringDecoder('utf8')
  let buf = ''
  const emit = (l: string, out: StreamFrame[]) => {
    const t = l.trim()
    if (t !== '') out.push({ data: t })
  }
  // As for SSE, only new text is searched; an unfinished line waits in `buf`.
  const split = (text: string, out: StreamFrame[]) => {
    let start = 0
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      if (buf === '') emit(text.slice(start, nl), out)
      else {
        emit(buf + text.slice(start, nl), out)
        buf = ''
      }
      start = nl + 1
    }
    if (start < text.length) buf = keepPartial(buf, start === 0 ? text : text.slice(start))
  }
  return {
    push(chunk) {
      const out: StreamFrame[] = []
      split(typeof chunk === 'string' ? chunk : decoder.write(chunk), out)
      return out
    },
    flush() {
      const out: StreamFrame[] = []
      split(decoder.end(), out)
      const rest = buf.trim()
      buf = ''
      if (rest !== '') out.push({ data: rest })
      return out
    },
  }
}
