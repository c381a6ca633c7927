import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../core/errors.js'
import { decodeResponsesRequest } from './decode-request.js'

function rejected(body: unknown): GatewayError {
  try {
    decodeResponsesRequest(body)
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError)
    return err as GatewayError
  }
  throw new Error('expected an invalid_request error')
}

describe('decodeResponsesRequest', () => {
  it('turns instructions and a string input into system and user messages', () => {
    expect(decodeResponsesRequest({ model: 'm', instructions: 'Be brief.', input: 'hi' })).toEqual({
      model: 'm',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
    })
  })

  it('maps message items, images, function calls and their outputs', () => {
    const req = decodeResponsesRequest({
      model: 'm',
      input: [
        { role: 'developer', content: [{ type: 'input_text', text: 'dev' }] },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'look' },
            { type: 'input_image', image_url: 'data:image/png;base64,AAA', detail: 'low' },
          ],
        },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Calling.' }] },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{"x":1}' },
        { type: 'function_call', call_id: 'c2', name: 'g', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'one' },
        { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: 'two' }] },
        { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'opaque' },
      ],
    })
    expect(req.messages).toEqual([
      { role: 'system', content: 'dev' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'look' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAA', detail: 'low' } },
        ],
      },
      {
        role: 'assistant',
        content: 'Calling.',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'f', arguments: '{"x":1}' } },
          { id: 'c2', type: 'function', function: { name: 'g', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'one' },
      { role: 'tool', tool_call_id: 'c2', content: [{ type: 'text', text: 'two' }] },
    ])
  })

  it('keeps function tools, drops built-in ones, and maps the sampling and format settings', () => {
    const req = decodeResponsesRequest({
      model: 'm',
      input: 'x',
      stream: true,
      store: false,
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: 'k',
      tools: [
        { type: 'function', name: 'f', description: 'd', parameters: { type: 'object' }, strict: true },
        { type: 'web_search' },
        { type: 'file_search', vector_store_ids: [] },
        { type: 'namespace', name: 'n', tools: [] },
      ],
      tool_choice: { type: 'function', name: 'f' },
      max_output_tokens: 100,
      temperature: 0.5,
      reasoning: { effort: 'low', summary: 'auto' },
      text: { format: { type: 'json_object' } },
    })
    expect(req).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.5,
      max_completion_tokens: 100,
      tools: [
        { type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object' }, strict: true } },
      ],
      tool_choice: { type: 'function', function: { name: 'f' } },
      response_format: { type: 'json_object' },
      reasoning_effort: 'low',
    })
  })

  it('a tool_choice for a dropped built-in tool falls back to the default', () => {
    const req = decodeResponsesRequest({
      model: 'm',
      input: 'x',
      tools: [{ type: 'function', name: 'f' }, { type: 'web_search' }],
      tool_choice: { type: 'web_search' },
    })
    expect(req.tool_choice).toBeUndefined()
  })

  it.each([
    ['no model', { input: 'x' }, 'model'],
    ['no input', { model: 'm' }, 'input'],
    ['previous_response_id', { model: 'm', input: 'x', previous_response_id: 'resp_1' }, 'previous_response_id'],
    ['an unknown role', { model: 'm', input: [{ role: 'tool', content: 'x' }] }, 'input[0].role'],
    [
      'a file-id image',
      { model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'f' }] }] },
      'input[0].content[0]',
    ],
    ['an item reference', { model: 'm', input: [{ type: 'item_reference', id: 'msg_1' }] }, 'input[0]'],
    ['a function call without call_id', { model: 'm', input: [{ type: 'function_call', name: 'f' }] }, 'input[0]'],
  ])('rejects %s naming the field', (_name, body, param) => {
    const err = rejected(body)
    expect(err.kind).toBe('invalid_request')
    expect(err.opts.param).toBe(param)
  })
})
