import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../core/errors.js'
import { decodeAnthropicRequest } from './decode-request.js'

const ok = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }

function rejected(body: unknown): { param?: string; message: string } {
  try {
    decodeAnthropicRequest(body)
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError)
    expect((err as GatewayError).kind).toBe('invalid_request')
    return { param: (err as GatewayError).opts.param, message: (err as GatewayError).message }
  }
  throw new Error('expected an invalid_request error')
}

describe('decodeAnthropicRequest validation', () => {
  it.each([
    ['a non-object body', [], 'body'],
    ['a missing model', { ...ok, model: undefined }, 'model'],
    ['a numeric model', { ...ok, model: 3 }, 'model'],
    ['a missing max_tokens', { ...ok, max_tokens: undefined }, 'max_tokens'],
    ['a string max_tokens', { ...ok, max_tokens: '100' }, 'max_tokens'],
    ['an empty messages array', { ...ok, messages: [] }, 'messages'],
    ['a tool role message', { ...ok, messages: [{ role: 'tool', content: 'x' }] }, 'messages.0.role'],
    [
      'a system message with an image',
      { ...ok, messages: [{ role: 'system', content: [{ type: 'image' }] }] },
      'messages.0.content.0',
    ],
    ['a message that is not an object', { ...ok, messages: [ok.messages[0], 'hi'] }, 'messages.1'],
    [
      'numeric content',
      { ...ok, messages: [ok.messages[0], { role: 'assistant', content: 'a' }, { role: 'user', content: 5 }] },
      'messages.2.content',
    ],
    ['a block without type', { ...ok, messages: [{ role: 'user', content: [{ text: 'x' }] }] }, 'messages.0.content.0'],
    [
      'a text block without text',
      { ...ok, messages: [{ role: 'user', content: [{ type: 'text' }] }] },
      'messages.0.content.0.text',
    ],
    [
      'an image with a file source',
      { ...ok, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] }] },
      'messages.0.content.0.source',
    ],
    [
      'a tool_result without tool_use_id',
      { ...ok, messages: [{ role: 'user', content: [{ type: 'tool_result', content: 'x' }] }] },
      'messages.0.content.0.tool_use_id',
    ],
    [
      'a tool_use without id',
      { ...ok, messages: [{ role: 'assistant', content: [{ type: 'tool_use', name: 'f', input: {} }] }] },
      'messages.0.content.0',
    ],
    ['a system number', { ...ok, system: 5 }, 'system'],
    ['a system image block', { ...ok, system: [{ type: 'image' }] }, 'system.0'],
    ['a string stream flag', { ...ok, stream: 'yes' }, 'stream'],
    ['a string temperature', { ...ok, temperature: 'hot' }, 'temperature'],
    ['stop_sequences as a string', { ...ok, stop_sequences: 'END' }, 'stop_sequences'],
    ['tools as an object', { ...ok, tools: {} }, 'tools'],
    ['a nameless tool', { ...ok, tools: [{ input_schema: {} }] }, 'tools.0.name'],
    ['an unknown tool_choice', { ...ok, tools: [{ name: 'f' }], tool_choice: { type: 'some' } }, 'tool_choice.type'],
    [
      'tool_choice tool without name',
      { ...ok, tools: [{ name: 'f' }], tool_choice: { type: 'tool' } },
      'tool_choice.name',
    ],
    ['thinking without a type', { ...ok, thinking: { budget_tokens: 1024 } }, 'thinking'],
  ])('rejects %s', (_what, body, param) => {
    expect(rejected(body).param).toBe(param)
  })
})

describe('decodeAnthropicRequest translation', () => {
  it('ignores unknown top-level fields and accepts count_tokens bodies with a supplied max_tokens', () => {
    expect(decodeAnthropicRequest({ ...ok, container: 'c', mcp_servers: [], betas: ['x'] })).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    })
  })

  it.each([
    [{ type: 'auto' }, { tool_choice: 'auto' }],
    [{ type: 'any' }, { tool_choice: 'required' }],
    [{ type: 'none' }, { tool_choice: 'none' }],
    [{ type: 'tool', name: 'f' }, { tool_choice: { type: 'function', function: { name: 'f' } } }],
    [
      { type: 'auto', disable_parallel_tool_use: true },
      { tool_choice: 'auto', parallel_tool_calls: false },
    ],
  ])('maps tool_choice %j', (choice, expected) => {
    const req = decodeAnthropicRequest({
      ...ok,
      tools: [{ name: 'f', input_schema: { type: 'object' } }],
      tool_choice: choice,
    })
    expect({ tool_choice: req.tool_choice, parallel_tool_calls: req.parallel_tool_calls }).toEqual({
      parallel_tool_calls: undefined,
      ...expected,
    })
  })

  it('drops tool_choice when only server tools were given', () => {
    const req = decodeAnthropicRequest({
      ...ok,
      tools: [{ type: 'bash_20250124', name: 'bash' }],
      tool_choice: { type: 'any' },
    })
    expect(req).not.toHaveProperty('tools')
    expect(req).not.toHaveProperty('tool_choice')
  })

  it('turns a base64 PDF into a file part and a text document into text', () => {
    const req = decodeAnthropicRequest({
      ...ok,
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'document',
              source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' },
              title: 'a.pdf',
            },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain doc' } },
            { type: 'search_result', source: 'x', title: 't', content: [] },
          ],
        },
      ],
    })
    expect(req.messages[0].content).toEqual([
      { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
      { type: 'text', text: 'plain doc' },
    ])
  })

  it('keeps a signature-only thinking block and adds no empty reasoning_content', () => {
    const req = decodeAnthropicRequest({
      ...ok,
      messages: [
        ok.messages[0],
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: '', signature: 's' },
            { type: 'text', text: 'a' },
          ],
        },
      ],
    })
    expect(req.messages[1]).toEqual({
      role: 'assistant',
      content: 'a',
      thinking_blocks: [{ type: 'thinking', thinking: '', signature: 's' }],
    })
  })

  it('gives an assistant turn with only tool calls null content and a tool_result without content an empty string', () => {
    const req = decodeAnthropicRequest({
      ...ok,
      messages: [
        ok.messages[0],
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: { a: 1 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't' }] },
      ],
    })
    expect(req.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
      },
      { role: 'tool', tool_call_id: 't', content: '' },
    ])
  })

  it('maps stream, thinking and the system string', () => {
    const req = decodeAnthropicRequest({
      ...ok,
      system: 'S',
      stream: true,
      thinking: { type: 'enabled', budget_tokens: 2048 },
    })
    expect(req).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      thinking: { type: 'enabled', budget_tokens: 2048 },
    })
    expect(req.messages[0]).toEqual({ role: 'system', content: 'S' })
  })

  it('accepts what Claude Code sends: a system message inside messages, adaptive thinking, extra fields', () => {
    const req = decodeAnthropicRequest({
      ...ok,
      system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'hello' }] },
        { role: 'system', content: [{ type: 'text', text: 'Reminder: be brief.' }] },
      ],
      thinking: { type: 'adaptive', display: 'omitted' },
      context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
      output_config: { effort: 'high' },
      metadata: { user_id: 'user_abc' },
      stream: true,
    })
    expect(req.messages).toEqual([
      {
        role: 'system',
        content: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }],
      },
      { role: 'user', content: 'hello' },
      { role: 'system', content: 'Reminder: be brief.' },
    ])
    expect(req.thinking).toEqual({ type: 'adaptive' })
    expect(req.user).toBe('user_abc')
    // Anthropic-only knobs have no counterpart elsewhere; they reach Anthropic upstreams by pass-through only.
    expect(req).not.toHaveProperty('context_management')
    expect(req).not.toHaveProperty('output_config')
  })
})
