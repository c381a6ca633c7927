import { describe, expect, it } from 'vitest'
import { type Answers, identify } from './fingerprint.js'

const json = (body: unknown, status = 200) => ({ status, body })

describe('identify', () => {
  it('recognises Ollama by /api/version and lists /api/tags', () => {
    const a: Answers = {
      '/api/version': json({ version: '0.6.2' }),
      '/api/tags': json({ models: [{ name: 'llama3.2:latest' }, { name: 'qwen3:8b' }] }),
    }
    expect(identify(a)).toEqual({ kind: 'ollama', status: 'ok', models: ['llama3.2:latest', 'qwen3:8b'] })
  })

  it('recognises llama.cpp by /props, or by its model list alone', () => {
    const props = json({ default_generation_settings: { n_ctx: 4096 }, build_info: 'b5000' })
    const list = json({ object: 'list', data: [{ id: 'qwen.gguf', owned_by: 'llamacpp' }] })
    expect(identify({ '/props': props, '/v1/models': json({ data: [{ id: 'qwen.gguf' }] }) })).toEqual({
      kind: 'llamacpp',
      status: 'ok',
      models: ['qwen.gguf'],
    })
    expect(identify({ '/v1/models': list })?.kind).toBe('llamacpp')
  })

  it('recognises LM Studio by its /api/v0 model fields', () => {
    const a: Answers = {
      '/api/v0/models': json({ data: [{ id: 'phi-4', state: 'loaded', max_context_length: 16384, type: 'llm' }] }),
      '/v1/models': json({ data: [{ id: 'phi-4', owned_by: 'organization_owner' }] }),
    }
    expect(identify(a)?.kind).toBe('lmstudio')
  })

  it('recognises vLLM by max_model_len', () => {
    const a: Answers = {
      '/version': json({ version: '0.9.1' }),
      '/v1/models': json({ data: [{ id: 'meta/llama', owned_by: 'vllm', max_model_len: 8192 }] }),
    }
    expect(identify(a)?.kind).toBe('vllm')
  })

  it('reports a server that wants a key, and ignores a dev server that speaks no model API', () => {
    expect(identify({ '/v1/models': json({ error: 'unauthorized' }, 401) })).toEqual({
      kind: 'openai-compatible',
      status: 'needs-key',
      models: [],
    })
    expect(identify({ '/version': json({ version: '1.0' }), '/v1/models': json({ error: 'no' }, 404) })).toBeNull()
  })
})
