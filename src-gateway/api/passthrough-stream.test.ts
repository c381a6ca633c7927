import { describe, expect, it } from 'vitest'
import { createSseParser } from '../core/sse.js'
import { passthroughStream } from './passthrough-stream.js'

const chunk = (delta: object) =>
  `data: ${JSON.stringify({ id: 'c', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`

describe('OpenAI pass-through stream', () => {
  it('assembles the answer text, escapes and all, from the frames it forwarded', () => {
    const t = passthroughStream('openai', false)
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

  it('drops the usage chunk it asked for when the client did not', () => {
    const t = passthroughStream('openai', false)
    const usage = `data: ${JSON.stringify({ id: 'c', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } })}\n\n`
    const out = t.frames(createSseParser().push(chunk({ content: 'x' }) + usage))
    expect(out).not.toContain('prompt_tokens')
    expect(t.counts()).toMatchObject({ input: 3, output: 2 })
  })
})
