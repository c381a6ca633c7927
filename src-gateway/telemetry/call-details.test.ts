import { describe, expect, it } from 'vitest'
import { callContent, callDetails } from './call-details.js'

describe('call details from logged bodies', () => {
  it('reads an OpenAI chat answer: id, finish reasons, tool calls; and the request parameters from raw JSON', () => {
    const req = JSON.stringify({ model: 'm', max_completion_tokens: 9, temperature: 0, top_p: 0.5, messages: [] })
    const res = JSON.stringify({
      id: 'chatcmpl-1',
      choices: [
        {
          message: { role: 'assistant', tool_calls: [{ id: 'call_1', function: { name: 'lookup', arguments: '{}' } }] },
          finish_reason: 'tool_calls',
        },
      ],
    })
    expect(callDetails(req, res, false)).toEqual({
      maxTokens: 9,
      temperature: 0,
      topP: 0.5,
      responseId: 'chatcmpl-1',
      finishReasons: ['tool_calls'],
      toolCalls: [{ name: 'lookup', id: 'call_1' }],
    })
  })

  it('reads the Responses API and Ollama shapes', () => {
    const responses = {
      id: 'resp_1',
      output: [
        { type: 'message', content: [{ type: 'output_text', text: 'hi' }] },
        { type: 'function_call', call_id: 'fc_1', name: 'search', arguments: '{}' },
      ],
    }
    expect(callDetails({ max_output_tokens: 5 }, responses, false)).toMatchObject({
      maxTokens: 5,
      responseId: 'resp_1',
      toolCalls: [{ name: 'search', id: 'fc_1' }],
    })
    const ollama = {
      message: { role: 'assistant', content: '', tool_calls: [{ function: { name: 'f' } }] },
      done_reason: 'stop',
    }
    expect(callDetails({ options: { num_predict: 7, temperature: 0.2 } }, ollama, false)).toMatchObject({
      maxTokens: 7,
      temperature: 0.2,
      finishReasons: ['stop'],
      toolCalls: [{ name: 'f' }],
    })
  })

  it('says nothing it does not know: a stream logged as text, an embeddings answer, a body that is not JSON', () => {
    expect(callDetails('{"stream":true}', { stream: true, content: 'text' }, false)).toEqual({ toolCalls: [] })
    expect(callDetails({ input: 'x', max_tokens: 3 }, { data: [{ embedding: [1] }], id: 'e' }, true)).toEqual({
      toolCalls: [],
    })
    expect(callDetails('not json', 'neither', false)).toEqual({ toolCalls: [] })
  })

  it('turns messages into the conventions’ parts: tool calls, tool results and a separate system prompt', () => {
    const req = {
      system: 'Be brief.',
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'sunny' }] },
      ],
    }
    const res = { content: [{ type: 'text', text: 'Sunny.' }], stop_reason: 'end_turn' }
    expect(callContent(req, res)).toEqual({
      system: [{ type: 'text', content: 'Be brief.' }],
      input: [
        { role: 'user', parts: [{ type: 'text', content: 'weather?' }] },
        {
          role: 'assistant',
          parts: [{ type: 'tool_call', id: 't1', name: 'get_weather', arguments: { city: 'Paris' } }],
        },
        { role: 'user', parts: [{ type: 'tool_call_response', id: 't1', response: 'sunny' }] },
      ],
      output: [{ role: 'assistant', parts: [{ type: 'text', content: 'Sunny.' }], finish_reason: 'end_turn' }],
    })
    const openai = {
      messages: [
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', function: { name: 'f', arguments: '{"a":1}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: '42' },
      ],
    }
    expect(callContent(openai, undefined).input).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'f', arguments: '{"a":1}' }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: '42' }] },
    ])
  })
})
