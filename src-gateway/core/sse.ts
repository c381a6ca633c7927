import { StringDecoder } from 'node:string_decoder'

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

  const consume = (text: string, out: StreamFrame[]) => {
    if (pendingCR && text.charCodeAt(0) === 10) text = text.slice(1)
    pendingCR = false
    buf += text
    let start = 0
    // Servers that end lines with \n alone have no \r at all: one search says so for the whole chunk.
    let cr = buf.indexOf('\r')
    for (;;) {
      if (cr !== -1 && cr < start) cr = buf.indexOf('\r', start)
      const nl = buf.indexOf('\n', start)
      let end: number
      let next: number
      if (cr !== -1 && (nl === -1 || cr < nl)) {
        end = cr
        if (cr + 1 === buf.length) {
          pendingCR = true
          next = cr + 1
        } else next = buf.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1
      } else if (nl !== -1) {
        end = nl
        next = nl + 1
      } else break
      line(buf, start, end, out)
      start = next
    }
    buf = start === buf.length ? '' : buf.slice(start)
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

/** Newline-delimited JSON (Ollama): one frame per non-empty line. */
export function createNdjsonParser(): FrameParser {
  const decoder = new StringDecoder('utf8')
  let buf = ''
  const split = (out: StreamFrame[]) => {
    let start = 0
    for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n', start)) {
      const l = buf.slice(start, nl).trim()
      if (l !== '') out.push({ data: l })
      start = nl + 1
    }
    buf = buf.slice(start)
  }
  return {
    push(chunk) {
      buf += typeof chunk === 'string' ? chunk : decoder.write(chunk)
      const out: StreamFrame[] = []
      split(out)
      return out
    },
    flush() {
      buf += decoder.end()
      const out: StreamFrame[] = []
      split(out)
      const rest = buf.trim()
      buf = ''
      if (rest !== '') out.push({ data: rest })
      return out
    },
  }
}
