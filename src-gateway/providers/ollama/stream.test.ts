import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../core/errors.js'
import { createOllamaStreamDecoder } from './stream.js'

const line = (body: unknown) => ({ data: JSON.stringify(body) })
const content = (c: string, extra: Record<string, unknown> = {}) => ({
  model: 'llama3.2',
  message: { role: 'assistant', content: c },
  done: false,
  ...extra,
})

describe('Ollama NDJSON decoder', () => {
  it('throws the text of an {"error":…} line as an upstream GatewayError', () => {
    const d = createOllamaStreamDecoder('llama3.2')
    d.push(line(content('Hel')))
    let thrown: unknown
    try {
      d.push(line({ error: 'CUDA error: out of memory' }))
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(GatewayError)
    expect((thrown as GatewayError).kind).toBe('upstream')
    expect((thrown as GatewayError).message).toBe('CUDA error: out of memory')
  })

  it('throws on end() without a done:true line, and not after one', () => {
    const cut = createOllamaStreamDecoder('llama3.2')
    cut.push(line(content('Hel')))
    expect(() => cut.end()).toThrow(/truncated/)

    const whole = createOllamaStreamDecoder('llama3.2')
    whole.push(line(content('Hel')))
    const last = whole.push(line(content('', { done: true, done_reason: 'stop', prompt_eval_count: 2, eval_count: 1 })))
    expect(last.map((c) => c.choices[0]?.finish_reason ?? 'usage')).toEqual(['stop', 'usage'])
    expect(whole.end()).toEqual([])
  })

  it('maps done_reason length and keeps one id for the whole stream', () => {
    const d = createOllamaStreamDecoder('llama3.2')
    const chunks = [...d.push(line(content('a'))), ...d.push(line(content('', { done: true, done_reason: 'length' })))]
    expect(chunks[1].choices[0].finish_reason).toBe('length')
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1)
  })
})
