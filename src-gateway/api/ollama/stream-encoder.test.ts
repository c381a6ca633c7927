import { describe, expect, it } from 'vitest'
import type { ChatChunk, ChunkDelta, FinishReason, Usage } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { createOllamaStreamEncoder } from './stream-encoder.js'

const USAGE: Usage = { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 }

function chunk(delta: ChunkDelta, finish: FinishReason | null = null, usage?: Usage): ChatChunk {
  return {
    id: 'c1',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'm',
    choices: [{ index: 0, delta, finish_reason: finish }],
    usage,
  }
}

// biome-ignore lint/suspicious/noExplicitAny: parsed wire output, checked field by field by the assertions
function lines(out: string): Record<string, any>[] {
  expect(out.endsWith('\n')).toBe(true)
  return out
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l))
}

describe('Ollama NDJSON stream encoder', () => {
  it('chat: one line per piece, then done with reason, counts and nanosecond durations', () => {
    const enc = createOllamaStreamEncoder('my-model', 'chat', performance.now() - 50)
    const out =
      enc.chunk(chunk({ role: 'assistant', content: 'Hel' })) +
      enc.chunk(chunk({ content: 'lo' })) +
      enc.chunk(chunk({}, 'stop'))
    expect(out).not.toContain('"done":true')
    const all = lines(out + enc.chunk({ ...chunk({}), choices: [], usage: USAGE }) + enc.end())
    expect(all.map((l) => l.message.content)).toEqual(['Hel', 'lo', ''])
    expect(all[0]).toMatchObject({
      model: 'm' /* the chunk's model: the one that answered */,
      done: false,
      message: { role: 'assistant' },
    })
    expect(Date.parse(all[0].created_at)).not.toBeNaN()
    const last = all[2]
    expect(last).toMatchObject({
      done: true,
      done_reason: 'stop',
      prompt_eval_count: 12,
      eval_count: 5,
      load_duration: 0,
    })
    expect(last.total_duration).toBeGreaterThanOrEqual(50e6)
    expect(Number.isInteger(last.total_duration)).toBe(true)
    expect(last.prompt_eval_duration + last.eval_duration).toBeLessThanOrEqual(last.total_duration + 1)
  })

  it('chat: tool-call fragments are gathered and sent whole, arguments as objects', () => {
    const enc = createOllamaStreamEncoder('m', 'chat', performance.now())
    let out = enc.chunk(
      chunk({
        tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '{"city":' } }],
      }),
    )
    out += enc.chunk(chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }))
    expect(out).toBe('')
    const all = lines(out + enc.chunk(chunk({}, 'tool_calls', USAGE)))
    expect(all).toHaveLength(2)
    expect(all[0].message.tool_calls).toEqual([
      { id: 'call_a', function: { index: 0, name: 'f', arguments: { city: 'Paris' } } },
    ])
    expect(all[1]).toMatchObject({ done: true, done_reason: 'stop' })
  })

  it('a huge tool-call index from the upstream costs nothing (no sparse array to walk)', () => {
    const enc = createOllamaStreamEncoder('my-model', 'chat', performance.now())
    const t0 = performance.now()
    let out = enc.chunk(
      chunk({
        tool_calls: [{ index: 4_000_000_000, id: 'b', type: 'function', function: { name: 'g', arguments: '{}' } }],
      }),
    )
    out += enc.chunk(
      chunk({ tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } }] }),
    )
    const all = lines(out + enc.chunk(chunk({}, 'tool_calls', USAGE)))
    // Old code: 115 s; the bound leaves room for a loaded CI machine.
    expect(performance.now() - t0).toBeLessThan(1000)
    expect(all[0].message.tool_calls.map((c: { function: { name: string } }) => c.function.name)).toEqual(['f', 'g'])
  })

  it('generate: text in `response`, thinking beside it, done_reason length', () => {
    const enc = createOllamaStreamEncoder('m', 'generate', performance.now())
    const all = lines(
      enc.chunk(chunk({ reasoning_content: 'hmm' })) +
        enc.chunk(chunk({ content: 'Hi' })) +
        enc.chunk(chunk({}, 'length', USAGE)),
    )
    expect(all[0]).toMatchObject({ response: '', thinking: 'hmm', done: false })
    expect(all[1]).toMatchObject({ response: 'Hi', done: false })
    expect(all[1]).not.toHaveProperty('message')
    expect(all[2]).toMatchObject({ response: '', done: true, done_reason: 'length', eval_count: 5 })
  })

  it('errors become a bare {"error"} line; a missing finish reason is one too', () => {
    const enc = createOllamaStreamEncoder('m', 'chat', performance.now())
    expect(lines(enc.error(new GatewayError('upstream', 'boom')))).toEqual([{ error: 'boom' }])
    expect(enc.end()).toBe('')
    const cut = createOllamaStreamEncoder('m', 'chat', performance.now())
    cut.chunk(chunk({ content: 'half' }))
    expect(lines(cut.end())[0].error).toMatch(/without a finish reason/)
  })

  it('ends cleanly at end() when the upstream sent no usage', () => {
    const enc = createOllamaStreamEncoder('m', 'chat', performance.now())
    enc.chunk(chunk({ content: 'x' }, 'stop'))
    expect(lines(enc.end())[0]).toMatchObject({ done: true, prompt_eval_count: 0, eval_count: 0 })
  })
})
