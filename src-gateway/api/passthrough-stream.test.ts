import { describe, expect, it } from 'vitest'
import { MAX_STREAM_LINE_CHARS } from '../core/bounded-read.js'
import { createSseParser } from '../core/sse.js'
import { anthropicPassthroughStream, openaiPassthroughRelay, openaiPassthroughStream } from './passthrough-stream.js'
import type { StreamRelay } from './stream-accounting.js'

const chunk = (delta: object) =>
  `data: ${JSON.stringify({ id: 'c', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`

describe('OpenAI pass-through stream', () => {
  it('assembles the answer text, escapes and all, from the frames it forwarded', () => {
    const t = openaiPassthroughStream(false)
    const parser = createSseParser()
    const wire =
      chunk({ role: 'assistant', content: '' }) +
      chunk({ content: 'He said "hi"' }) +
      chunk({ content: '\n\\ é ✓' }) +
      chunk({ content: ' slash\\' }) +
      chunk({ content: null, tool_calls: [] }) +
      'data: [DONE]\n\n'
    const out = t.frames(parser.push(wire))
    expect(t.end()).toBe('data: [DONE]\n\n')
    expect(out).toContain('He said')
    expect(t.outputText()).toBe('He said "hi"\n\\ é ✓ slash\\')
  })

  it('reads the text of every chunk shape: the finish, usage, other key orders and spaced JSON', () => {
    const t = openaiPassthroughStream(true)
    const wire =
      chunk({ role: 'assistant', content: 'a', refusal: null }) +
      chunk({ content: 'b' }) +
      // Another server's key order and spacing: read through JSON.parse.
      'data: {"choices": [{"index": 0, "delta": {"content": "c"}}]}\n\n' +
      chunk({ refusal: null, content: 'd' }) +
      chunk({}) +
      `data: ${JSON.stringify({ id: 'c', choices: [], usage: { prompt_tokens: 1, completion_tokens: 4 } })}\n\n` +
      'data: [DONE]\n\n'
    t.frames(createSseParser().push(wire))
    expect(t.outputText()).toBe('abcd')
  })

  it('drops the usage chunk it asked for when the client did not', () => {
    const t = openaiPassthroughStream(false)
    const usage = `data: ${JSON.stringify({ id: 'c', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } })}\n\n`
    const out = t.frames(createSseParser().push(chunk({ content: 'x' }) + usage))
    expect(out).not.toContain('prompt_tokens')
    expect(t.counts()).toMatchObject({ input: 3, output: 2 })
  })

  it('keeps a bounded prefix of a long stream for the log, and still reads the usage at its end', () => {
    const t = openaiPassthroughStream(false)
    const parser = createSseParser()
    const piece = 'x'.repeat(1000)
    let forwarded = 0
    for (let i = 0; i < 5000; i++) forwarded += t.frames(parser.push(chunk({ content: piece }))).length
    const usage = `data: ${JSON.stringify({ id: 'c', choices: [], usage: { prompt_tokens: 7, completion_tokens: 5000, total_tokens: 5007 } })}\n\n`
    t.frames(parser.push(`${usage}data: [DONE]\n\n`))
    expect(t.end()).toBe('data: [DONE]\n\n')
    expect(forwarded).toBeGreaterThan(5000 * 1000)
    expect(t.counts()).toMatchObject({ input: 7, output: 5000 })
    const text = t.outputText()
    expect(text.length).toBeGreaterThan(900_000)
    expect(text.length).toBeLessThanOrEqual(1024 * 1024)
    expect(text.startsWith(piece)).toBe(true)
  })
})

const usageChunk = (prompt: number, completion: number) =>
  `data: ${JSON.stringify({ id: 'c', choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion } })}\n\n`

/** Everything the relay writes for `chunks`, flushed and ended, as one string. */
function relayed(relay: StreamRelay, chunks: Buffer[]): string {
  const out: Buffer[] = []
  const take = (o: string | Buffer[]) => {
    if (typeof o === 'string') out.push(Buffer.from(o))
    else out.push(...o)
  }
  for (const c of chunks) take(relay.push(c))
  take(relay.flush())
  take(relay.end())
  return Buffer.concat(out).toString('utf8')
}

/** `text` cut into pieces of `size` bytes, so frames and UTF-8 characters are split between chunks. */
const pieces = (text: string, size: number) => {
  const bytes = Buffer.from(text)
  const out: Buffer[] = []
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size))
  return out
}

describe('OpenAI pass-through relay (the upstream bytes as they came)', () => {
  const answer = `${chunk({ role: 'assistant', content: '' })}: keep-alive\n\n${chunk({ content: 'é ✓ "q"' })}data:${JSON.stringify({ choices: [{ index: 0, delta: { content: '!' } }] })}\n\n`

  it('writes every frame byte for byte, comments included, and leaves out the usage chunk the client did not ask for', () => {
    const relay = openaiPassthroughRelay(false)
    const out = relayed(relay, [Buffer.from(`${answer}${usageChunk(3, 2)}data: [DONE]\n\n`)])
    expect(out).toBe(`${answer}data: [DONE]\n\n`)
    expect(relay.counts()).toMatchObject({ input: 3, output: 2 })
    expect(relay.outputText()).toBe('é ✓ "q"!')
  })

  it('keeps the usage chunk for a client that asked for it', () => {
    const relay = openaiPassthroughRelay(true)
    const wire = `${answer}${usageChunk(3, 2)}data: [DONE]\n\n`
    expect(relayed(relay, [Buffer.from(wire)])).toBe(wire)
  })

  it('gives the same bytes, counts and text whatever the chunk sizes (frames and characters cut anywhere)', () => {
    const wire = `${answer}${usageChunk(11, 4)}data: [DONE]\n\n`
    for (const size of [1, 2, 3, 7, 64, 250]) {
      const relay = openaiPassthroughRelay(false)
      expect(relayed(relay, pieces(wire, size))).toBe(`${answer}data: [DONE]\n\n`)
      expect(relay.counts()).toMatchObject({ input: 11, output: 4 })
      expect(relay.outputText()).toBe('é ✓ "q"!')
    }
  })

  it('relays an upstream that ends its lines with \\r\\n through the parser, with the same counts and text', () => {
    const wire = `${answer}${usageChunk(5, 1)}data: [DONE]\n\n`.replaceAll('\n', '\r\n')
    const relay = openaiPassthroughRelay(false)
    const out = relayed(relay, pieces(wire, 40))
    expect(out).toContain('data: [DONE]\n\n')
    expect(out).not.toContain('prompt_tokens')
    expect(relay.counts()).toMatchObject({ input: 5, output: 1 })
    expect(relay.outputText()).toBe('é ✓ "q"!')
  })

  it('reads a usage chunk written over several data lines, as SSE joins them', () => {
    const relay = openaiPassthroughRelay(false)
    const split = 'data: {"id":"c","choices":[],"usage":\ndata: {"prompt_tokens":2,"completion_tokens":9}}\n\n'
    expect(relayed(relay, [Buffer.from(`${chunk({ content: 'x' })}${split}data: [DONE]\n\n`)])).toBe(
      `${chunk({ content: 'x' })}data: [DONE]\n\n`,
    )
    expect(relay.counts()).toMatchObject({ input: 2, output: 9 })
  })

  it('reads a last frame that has no blank line after it', () => {
    const relay = openaiPassthroughRelay(false)
    expect(relayed(relay, [Buffer.from(`${chunk({ content: 'x' })}data: [DONE]`)])).toBe(
      `${chunk({ content: 'x' })}data: [DONE]\n\n`,
    )
  })

  it("fails on the upstream's error frame, and on a stream that ends before [DONE]", () => {
    expect(() =>
      openaiPassthroughRelay(false).push(Buffer.from('data: {"error":{"message":"overloaded"}}\n\n')),
    ).toThrow('overloaded')
    const cut = openaiPassthroughRelay(false)
    cut.push(Buffer.from(chunk({ content: 'x' })))
    cut.flush()
    expect(() => cut.end()).toThrow('ended before [DONE]')
  })

  it('refuses a frame that never ends', () => {
    const relay = openaiPassthroughRelay(false)
    const piece = Buffer.alloc(1024 * 1024, 'x')
    expect(() => {
      for (let i = 0; i <= MAX_STREAM_LINE_CHARS / piece.length; i++) relay.push(piece)
    }).toThrow('exceeds 8 MB in one stream line')
  })

  it('keeps a bounded prefix of a long stream for the log, and still reads the usage at its end', () => {
    const relay = openaiPassthroughRelay(false)
    const piece = 'x'.repeat(1000)
    let forwarded = 0
    for (let i = 0; i < 5000; i++) {
      for (const b of relay.push(Buffer.from(chunk({ content: piece })))) forwarded += b.length
    }
    relay.push(Buffer.from(`${usageChunk(7, 5000)}data: [DONE]\n\n`))
    expect(forwarded).toBeGreaterThan(5000 * 1000)
    expect(relay.counts()).toMatchObject({ input: 7, output: 5000 })
    const text = relay.outputText()
    expect(text.length).toBeGreaterThan(900_000)
    expect(text.length).toBeLessThanOrEqual(1024 * 1024)
    expect(text.startsWith(piece)).toBe(true)
  })
})

describe('Anthropic pass-through stream', () => {
  it('keeps a bounded prefix of the text deltas', () => {
    const t = anthropicPassthroughStream()
    const parser = createSseParser()
    const frame = (event: string, data: object) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
    t.frames(parser.push(frame('message_start', { message: { usage: { input_tokens: 9, output_tokens: 1 } } })))
    const delta = frame('content_block_delta', { delta: { type: 'text_delta', text: 'y'.repeat(1000) } })
    for (let i = 0; i < 5000; i++) t.frames(parser.push(delta))
    t.frames(parser.push(frame('message_delta', { usage: { output_tokens: 4000 } }) + frame('message_stop', {})))
    expect(t.end()).toBe('')
    expect(t.counts()).toMatchObject({ input: 9, output: 4000 })
    expect(t.outputText().length).toBeLessThanOrEqual(1024 * 1024)
  })
})
