import { describe, expect, it } from 'vitest'
import type { ChatRequest } from '../../core/chat-types.js'
import { toOpenAIRequest } from './chat.js'

const req: ChatRequest = {
  model: 'alias',
  messages: [
    { role: 'developer', content: 'Be terse.' },
    { role: 'assistant', content: 'ok', reasoning_content: 'r' },
  ],
  max_completion_tokens: 10,
  store: true,
  top_k: 5,
  stream_options: { include_usage: false },
}

describe('toOpenAIRequest', () => {
  it('sends OpenAI-only fields to OpenAI itself and drops gateway extensions it rejects', () => {
    expect(toOpenAIRequest(req, 'gpt-5', { strictOpenAI: true })).toEqual({
      model: 'gpt-5',
      messages: [
        { role: 'developer', content: 'Be terse.' },
        { role: 'assistant', content: 'ok' },
      ],
      max_completion_tokens: 10,
      store: true,
    })
  })

  it('maps them for compatible servers and always asks for stream usage when streaming', () => {
    expect(toOpenAIRequest({ ...req, stream: true }, 'local', { strictOpenAI: false })).toEqual({
      model: 'local',
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'assistant', content: 'ok', reasoning_content: 'r' },
      ],
      max_tokens: 10,
      top_k: 5,
      stream: true,
      stream_options: { include_usage: true },
    })
  })
})
