import { describe, expect, it } from 'vitest'
import { createResponsesCodec } from './codec.js'

// Codex gives its model each MCP server's tools as one `namespace` tool. A model behind any API gets them as
// flat function tools, and its call goes back to the client with the namespace it came from.

const BODY = {
  model: 'm',
  input: [
    { type: 'message', role: 'user', content: 'echo hi' },
    // An earlier call of the same tool, as the client sends it back.
    { type: 'function_call', call_id: 'c0', namespace: 'mcp__hub', name: 'everything__echo', arguments: '{}' },
    { type: 'function_call_output', call_id: 'c0', output: 'Echo: ' },
  ],
  tools: [
    {
      type: 'namespace',
      name: 'mcp__hub',
      description: 'Tools in the mcp__hub namespace.',
      tools: [{ type: 'function', name: 'everything__echo', description: 'Echoes', parameters: { type: 'object' } }],
    },
  ],
}

const CALL = {
  id: 'c1',
  type: 'function' as const,
  function: { name: 'mcp__hub__everything__echo', arguments: '{"message":"hi"}' },
}

describe('namespaced tools over the Responses API', () => {
  it('offers them to the model by flat name, history included', () => {
    const req = createResponsesCodec().decodeRequest(BODY)
    expect(req.tools).toEqual([
      {
        type: 'function',
        function: { name: 'mcp__hub__everything__echo', description: 'Echoes', parameters: { type: 'object' } },
      },
    ])
    expect(req.messages[1]).toMatchObject({ tool_calls: [{ function: { name: 'mcp__hub__everything__echo' } }] })
  })

  it('gives the model’s call its namespace back, whole or streamed', () => {
    const codec = createResponsesCodec()
    codec.decodeRequest(BODY)
    const res = codec.encodeResponse(
      {
        id: 'r',
        object: 'chat.completion',
        created: 1,
        model: 'm',
        choices: [
          { index: 0, message: { role: 'assistant', content: null, tool_calls: [CALL] }, finish_reason: 'tool_calls' },
        ],
      },
      'm',
    ) as { output: unknown[] }
    expect(res.output).toEqual([
      expect.objectContaining({
        type: 'function_call',
        namespace: 'mcp__hub',
        name: 'everything__echo',
        call_id: 'c1',
      }),
    ])
    const enc = codec.streamEncoder('m', codec.decodeRequest(BODY))
    const text =
      enc.chunk({
        id: 'r',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'm',
        choices: [{ index: 0, delta: { tool_calls: [{ index: 0, ...CALL }] }, finish_reason: null }],
      }) +
      enc.chunk({
        id: 'r',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'm',
        choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }],
      }) +
      enc.end()
    const done = text
      .split('\n')
      .filter((l) => l.startsWith('data: ') && l.includes('"response.output_item.done"'))
      .map((l) => JSON.parse(l.slice(6)).item)
    expect(done).toEqual([expect.objectContaining({ namespace: 'mcp__hub', name: 'everything__echo' })])
    const argsDone = text
      .split('\n')
      .filter((l) => l.startsWith('data: ') && l.includes('"response.function_call_arguments.done"'))
      .map((l) => JSON.parse(l.slice(6)).name)
    expect(argsDone).toEqual(['everything__echo'])
  })

  it('leaves a request without namespaces as it was', () => {
    const codec = createResponsesCodec()
    codec.decodeRequest({ model: 'm', input: 'x', tools: [{ type: 'function', name: 'mcp__hub__x' }] })
    const res = codec.encodeResponse(
      {
        id: 'r',
        object: 'chat.completion',
        created: 1,
        model: 'm',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [{ ...CALL, function: { name: 'mcp__hub__x', arguments: '{}' } }],
            },
            finish_reason: 'tool_calls',
          },
        ],
      },
      'm',
    ) as { output: Record<string, unknown>[] }
    expect(res.output[0]).toMatchObject({ name: 'mcp__hub__x' })
    expect(res.output[0]).not.toHaveProperty('namespace')
  })
})
