import { describe, expect, it } from 'vitest'
import type { ChatRequest } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { chatRequest, defaultMaxTokens, toAnthropicRequest } from './chat.js'

const user = (content: ChatRequest['messages'][number]['content']) => ({ role: 'user' as const, content })
const base = (extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'm', messages: [user('hi')], ...extra })
const weather = { type: 'function' as const, function: { name: 'get_weather' } }

function invalidParam(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError)
    expect((err as GatewayError).kind).toBe('invalid_request')
    return (err as GatewayError).opts.param
  }
  throw new Error('expected an invalid_request error')
}

describe('toAnthropicRequest', () => {
  it.each([
    ['claude-3-opus-20240229', 4096],
    ['claude-3-haiku-20240307', 4096],
    ['claude-3-5-sonnet-20241022', 8192],
    ['claude-3-7-sonnet-20250219', 8192],
    ['claude-sonnet-4-5', 8192],
  ])('defaults max_tokens for %s to %i', (model, max) => {
    expect(defaultMaxTokens(model)).toBe(max)
    expect(toAnthropicRequest(base(), model).max_tokens).toBe(max)
  })

  it('prefers max_completion_tokens over max_tokens', () => {
    expect(toAnthropicRequest(base({ max_tokens: 10, max_completion_tokens: 20 }), 'm').max_tokens).toBe(20)
  })

  it('keeps max_tokens above the thinking budget and drops sampling knobs thinking forbids', () => {
    const out = toAnthropicRequest(
      base({
        max_tokens: 1000,
        temperature: 0.5,
        top_k: 3,
        top_p: 0.5,
        thinking: { type: 'enabled', budget_tokens: 4000 },
      }),
      'claude-sonnet-4-5',
    )
    expect(out.max_tokens).toBe(5000)
    expect(out).not.toHaveProperty('temperature')
    expect(out).not.toHaveProperty('top_k')
    expect(out).not.toHaveProperty('top_p')
  })

  it('maps reasoning_effort to a thinking budget when no thinking config is given', () => {
    const out = toAnthropicRequest(base({ reasoning_effort: 'high' }), 'claude-sonnet-4-5')
    expect(out.thinking).toEqual({ type: 'enabled', budget_tokens: 16384 })
    // max_tokens must exceed the budget: the client's visible-output limit goes on top of it.
    expect(out.max_tokens).toBe(8192 + 16384)
    expect(toAnthropicRequest(base({ reasoning_effort: 'minimal' }), 'm')).not.toHaveProperty('thinking')
  })

  it.each([
    [-1, 0],
    [0.7, 0.7],
    [2, 1],
  ])('clamps temperature %d to %d', (t, expected) => {
    expect(toAnthropicRequest(base({ temperature: t }), 'm').temperature).toBe(expected)
  })

  it('passes top_k and drops OpenAI-only parameters', () => {
    const out = toAnthropicRequest(
      base({ top_k: 40, seed: 1, logprobs: true, presence_penalty: 1, service_tier: 'flex' }),
      'm',
    )
    expect(out.top_k).toBe(40)
    expect(Object.keys(out).sort()).toEqual(['max_tokens', 'messages', 'model', 'top_k'])
  })

  it.each([
    ['auto', undefined, { type: 'auto' }],
    ['required', undefined, { type: 'any' }],
    ['none', undefined, { type: 'none' }],
    [{ type: 'function', function: { name: 'get_weather' } }, undefined, { type: 'tool', name: 'get_weather' }],
    [undefined, false, { type: 'auto', disable_parallel_tool_use: true }],
    ['required', false, { type: 'any', disable_parallel_tool_use: true }],
    ['none', false, { type: 'none' }],
    [undefined, true, undefined],
  ] as const)('maps tool_choice %j with parallel_tool_calls %j', (choice, parallel, expected) => {
    const out = toAnthropicRequest(
      base({ tools: [weather], tool_choice: choice as ChatRequest['tool_choice'], parallel_tool_calls: parallel }),
      'm',
    )
    expect(out.tool_choice).toEqual(expected)
  })

  it('sends no tool_choice without tools', () => {
    const out = toAnthropicRequest(base({ tools: [], tool_choice: 'required' }), 'm')
    expect(out).not.toHaveProperty('tools')
    expect(out).not.toHaveProperty('tool_choice')
  })

  it('rejects n > 1', () => {
    expect(invalidParam(() => toAnthropicRequest(base({ n: 2 }), 'm'))).toBe('n')
  })

  it.each([
    ['data:image/png,rawbytes', 'messages.0.content.1.image_url.url'],
    ['ftp://example.com/cat.png', 'messages.0.content.1.image_url.url'],
  ])('rejects image url %s', (url, param) => {
    const req = base({
      messages: [
        user([
          { type: 'text', text: 'see' },
          { type: 'image_url', image_url: { url } },
        ]),
      ],
    })
    expect(invalidParam(() => toAnthropicRequest(req, 'm'))).toBe(param)
  })

  it('requires tool_call_id on tool messages', () => {
    const req = base({ messages: [user('hi'), { role: 'tool', content: 'x' }] })
    expect(invalidParam(() => toAnthropicRequest(req, 'm'))).toBe('messages.1.tool_call_id')
  })

  it('merges consecutive same-role turns, drops empty ones and never sends null content (P3)', () => {
    const out = toAnthropicRequest(
      base({
        messages: [
          user('a'),
          { role: 'assistant', content: null },
          { role: 'assistant', content: '  ' },
          user([{ type: 'text', text: '' }]),
          user('b'),
          { role: 'assistant', content: 'c' },
          { role: 'assistant', content: [{ type: 'text', text: 'd' }] },
        ],
      }),
      'm',
    )
    expect(out.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'c' },
          { type: 'text', text: 'd' },
        ],
      },
    ])
  })

  it('puts tool results before text even when a user turn precedes the tool messages', () => {
    const out = toAnthropicRequest(
      base({
        messages: [
          user('q'),
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } }],
          },
          user('note'),
          { role: 'tool', tool_call_id: 'a', content: '' },
        ],
      }),
      'm',
    )
    expect(out.messages[2]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'a' },
        { type: 'text', text: 'note' },
      ],
    })
  })

  it('turns invalid tool arguments into an empty input object', () => {
    const out = toAnthropicRequest(
      base({
        messages: [
          user('q'),
          {
            role: 'assistant',
            tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{"cut' } }],
          },
        ],
      }),
      'm',
    )
    expect(out.messages[1].content).toEqual([{ type: 'tool_use', id: 'a', name: 'f', input: {} }])
  })

  it('sends an inline PDF file part as a document block and drops file ids', () => {
    const out = toAnthropicRequest(
      base({
        messages: [
          user([
            { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
            { type: 'file', file: { file_id: 'file-123' } },
            { type: 'text', text: 'summarise' },
          ]),
        ],
      }),
      'm',
    )
    expect(out.messages[0].content).toEqual([
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' }, title: 'a.pdf' },
      { type: 'text', text: 'summarise' },
    ])
  })

  it('asks for JSON in a last system block for json_object', () => {
    const out = toAnthropicRequest(base({ response_format: { type: 'json_object' } }), 'm')
    expect(out.system?.at(-1)?.text).toMatch(/single JSON object/)
  })
})

describe('chatRequest', () => {
  it('posts to /v1/messages with version and key headers', () => {
    const req = chatRequest(base(), 'claude-sonnet-4-5', { baseUrl: 'https://api.anthropic.com', apiKey: 'k' })
    expect(req.method).toBe('POST')
    expect(req.path).toBe('/v1/messages')
    expect(req.headers).toEqual({
      'anthropic-version': '2023-06-01',
      'x-api-key': 'k',
      'content-type': 'application/json',
    })
  })

  it('sends no key header without a key and lets config headers override', () => {
    const req = chatRequest(base(), 'm', { baseUrl: 'http://127.0.0.1:8080', headers: { 'anthropic-beta': 'b1' } })
    expect(req.headers).toEqual({
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'b1',
      'content-type': 'application/json',
    })
  })
})
