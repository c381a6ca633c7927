import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../core/errors.js'
import { decodeOllamaChat, decodeOllamaGenerate, isLoadRequest } from './decode-request.js'

describe('decodeOllamaChat', () => {
  it('streams by default and asks for usage; stream:false does not', () => {
    expect(decodeOllamaChat({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    })
    expect(
      decodeOllamaChat({ model: 'm', stream: false, messages: [{ role: 'user', content: 'hi' }] }),
    ).not.toHaveProperty('stream')
  })

  it('pairs tool results with calls by tool name, oldest first, inventing ids Ollama does not send', () => {
    const req = decodeOllamaChat({
      model: 'm',
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            { function: { name: 'weather', arguments: { city: 'Paris' } } },
            { function: { name: 'time', arguments: {} } },
          ],
        },
        { role: 'tool', content: '10:00', tool_name: 'time' },
        { role: 'tool', content: 'sunny' },
      ],
    })
    expect(req.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1_0', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_1_1', type: 'function', function: { name: 'time', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1_1', content: '10:00' },
      { role: 'tool', tool_call_id: 'call_1_0', content: 'sunny' },
    ])
  })

  it('turns base64 images into data URLs with their type, and maps options, format and think', () => {
    const req = decodeOllamaChat({
      model: 'm',
      messages: [{ role: 'user', content: 'see', images: ['/9j/4AAQ', 'iVBORw0KGgoAAA'] }],
      options: { num_predict: -1, temperature: 0.1, top_k: 3, stop: ['x'], num_ctx: 4096 },
      format: { type: 'object' },
      think: 'high',
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
    })
    expect(req.messages[0].content).toEqual([
      { type: 'text', text: 'see' },
      { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgoAAA' } },
    ])
    expect(req).toMatchObject({
      temperature: 0.1,
      top_k: 3,
      stop: ['x'],
      reasoning_effort: 'high',
      response_format: { type: 'json_schema', json_schema: { name: 'response', schema: { type: 'object' } } },
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
    })
    expect(req).not.toHaveProperty('max_completion_tokens')
  })

  it.each([
    ['no model', { messages: [] }, 'model'],
    ['a bad role', { model: 'm', messages: [{ role: 'bot', content: 'x' }] }, 'messages[0].role'],
    [
      'a non-string option',
      { model: 'm', messages: [{ role: 'user', content: 'x' }], options: { temperature: 'hot' } },
      'options.temperature',
    ],
    ['a bad format', { model: 'm', messages: [{ role: 'user', content: 'x' }], format: 3 }, 'format'],
  ])('rejects %s naming the field', (_name, body, param) => {
    const err = (() => {
      try {
        decodeOllamaChat(body)
      } catch (e) {
        return e as GatewayError
      }
    })()
    expect(err).toBeInstanceOf(GatewayError)
    expect(err?.opts.param).toBe(param)
  })
})

describe('decodeOllamaGenerate', () => {
  it('makes a system and a user message from system and prompt', () => {
    expect(decodeOllamaGenerate({ model: 'm', system: 'S', prompt: 'P', stream: false }).messages).toEqual([
      { role: 'system', content: 'S' },
      { role: 'user', content: 'P' },
    ])
  })

  it('refuses a suffix as Ollama does for models without fill-in-the-middle', () => {
    expect(() => decodeOllamaGenerate({ model: 'm', prompt: 'a', suffix: 'b' })).toThrow(/does not support insert/)
  })

  it('recognises load requests', () => {
    expect(isLoadRequest({ model: 'm' }, 'generate')).toBe(true)
    expect(isLoadRequest({ model: 'm', prompt: 'x' }, 'generate')).toBe(false)
    expect(isLoadRequest({ model: 'm', messages: [] }, 'chat')).toBe(true)
    expect(isLoadRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, 'chat')).toBe(false)
  })
})
