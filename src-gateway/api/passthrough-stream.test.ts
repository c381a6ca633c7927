import { describe, expect, it } from 'vitest'
import { createSseParser } from '../core/sse.js'
import { anthropicPassthroughStream, openaiPassthroughStream } from './passthrough-stream.js'

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
