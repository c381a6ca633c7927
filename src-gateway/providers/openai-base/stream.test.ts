import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../core/errors.js'
import { createOpenAIStreamDecoder } from './stream.js'

const frame = (body: unknown) => ({ data: JSON.stringify(body) })
const chunk = (delta: unknown, finish_reason: string | null = null) => ({
  id: 'c1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [{ index: 0, delta, finish_reason }],
})

describe('OpenAI-shaped stream decoder', () => {
  it('throws on end() when neither [DONE] nor a finish_reason arrived', () => {
    const d = createOpenAIStreamDecoder('m')
    d.push(frame(chunk({ content: 'Hel' })))
    expect(() => d.end()).toThrow(new GatewayError('upstream', 'upstream stream ended early'))
  })

  it('accepts [DONE] alone as a complete stream', () => {
    const d = createOpenAIStreamDecoder('m')
    expect(d.push({ data: '[DONE]' })).toEqual([])
    expect(d.end()).toEqual([])
  })

  it('gives tool-call deltas without index one by id, else the latest call (pitfall P1)', () => {
    const d = createOpenAIStreamDecoder('m')
    const indexes = [
      { id: 'a', function: { name: 'x', arguments: '' } },
      { id: 'b', function: { name: 'y', arguments: '' } },
      { function: { arguments: '{}' } },
      { id: 'a', function: { arguments: '{}' } },
    ]
      .map((tc) => d.push(frame(chunk({ tool_calls: [tc] }))))
      .map((out) => out[0].choices[0].delta.tool_calls?.[0].index)
    expect(indexes).toEqual([0, 1, 1, 0])
  })

  it('throws a data: {"error":…} frame with the status its type stands for', () => {
    const d = createOpenAIStreamDecoder('m')
    let thrown: unknown
    try {
      d.push(frame({ error: { message: 'Overloaded', type: 'unavailable_error', code: 503 } }))
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(GatewayError)
    expect((thrown as GatewayError).kind).toBe('upstream_overloaded')
    expect((thrown as GatewayError).status).toBe(503)
  })

  it('refuses a frame that is not JSON', () => {
    expect(() => createOpenAIStreamDecoder('m').push({ data: '{"id":' })).toThrow(/not JSON/)
  })
})
