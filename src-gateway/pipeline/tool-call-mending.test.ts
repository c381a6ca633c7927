import { describe, expect, it } from 'vitest'
import type { ChatChunk, ChatRequest, ChunkDelta, FinishReason } from '../core/chat-types.js'
import type { ChatStreamDecoder } from '../providers/types.js'
import type { Target } from '../routing/resolve.js'
import { toolCallMending } from './tool-call-mending.js'

const chunk = (delta: ChunkDelta, finish: FinishReason | null = null): ChatChunk => ({
  id: 'c1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [{ index: 0, delta, finish_reason: finish }],
})

/** A decoder that hands out the given chunks, one push each. */
function scripted(chunks: ChatChunk[]): ChatStreamDecoder & { count: number } {
  let i = 0
  return {
    count: chunks.length,
    push: () => [chunks[i++]],
    end: () => [],
  }
}

function run(decoder: ChatStreamDecoder & { count: number }, mended: ChatStreamDecoder): ChatChunk[] {
  const out: ChatChunk[] = []
  for (let i = 0; i < decoder.count; i++) out.push(...mended.push({ data: '' }))
  out.push(...mended.end())
  return out
}

const target = (toolCallFormat?: Target['toolCallFormat'], passthrough = 'openai') =>
  ({ provider: { adapter: { passthrough } }, toolCallFormat }) as unknown as Target
const REQ = {
  model: 'm',
  messages: [],
  tools: [{ type: 'function', function: { name: 'grep' } }],
} as unknown as ChatRequest

describe('toolCallMending.stream', () => {
  it('passes a chunk without tool calls on as the decoder made it', () => {
    const plain = [chunk({ content: 'hi' })]
    const mended = toolCallMending(target(), REQ).stream({ push: () => plain, end: () => [] })
    expect(mended.push({ data: '' })).toBe(plain)
  })

  it('holds interleaved calls until the finish and sends each whole, its arguments repaired', () => {
    const m = toolCallMending(target(), REQ)
    const up = scripted([
      chunk({ tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'grep', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"pattern": ' } }] }),
      chunk({
        tool_calls: [
          { index: 1, id: 'b', function: { name: 'grep', arguments: '{"pattern":"y"}', thought_signature: 's' } },
        ],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"x",' } }] }),
      chunk({}, 'tool_calls'),
    ])
    const out = run(up, m.stream(up))
    const calls = out.flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])
    expect(calls).toEqual([
      { index: 0, id: 'a', type: 'function', function: { name: 'grep', arguments: '{"pattern": "x"}' } },
      {
        index: 1,
        id: 'b',
        type: 'function',
        function: { name: 'grep', arguments: '{"pattern":"y"}', thought_signature: 's' },
      },
    ])
    expect(out.at(-1)!.choices[0].finish_reason).toBe('tool_calls')
    expect(m.repairs).toBe(1)
  })

  it('leaves an Anthropic upstream alone when it has no text format to read', () => {
    const decoder = scripted([])
    expect(toolCallMending(target(undefined, 'anthropic'), REQ).stream(decoder)).toBe(decoder)
  })

  it('lifts text calls after the upstream own calls, and the stop becomes tool_calls', () => {
    const m = toolCallMending(target('hermes', 'anthropic'), REQ)
    const up = scripted([
      chunk({ role: 'assistant', content: 'ok <tool_' }),
      chunk({ tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'grep', arguments: '{}' } }] }),
      chunk({ content: 'call>{"name": "grep", "arguments": {"pattern": "z"}}</tool_call>\n' }),
      chunk({}, 'stop'),
    ])
    const out = run(up, m.stream(up))
    expect(out.map((c) => c.choices[0].delta.content ?? '').join('')).toBe('ok ')
    const calls = out.flatMap((c) => c.choices[0].delta.tool_calls ?? [])
    expect(calls.map((c) => [c.index, c.function?.arguments])).toEqual([
      [0, '{}'],
      [1, '{"pattern":"z"}'],
    ])
    expect(out.at(-1)!.choices[0].finish_reason).toBe('tool_calls')
    expect(m.repairs).toBe(1)
  })

  it('sends what was held when the stream ends without a finish', () => {
    const m = toolCallMending(target('hermes'), REQ)
    const up = scripted([chunk({ content: '<tool_call>{"name": "grep", "arguments": {}}' })])
    const out = run(up, m.stream(up))
    expect(out.flatMap((c) => c.choices[0].delta.tool_calls ?? []).map((c) => c.function?.name)).toEqual(['grep'])
  })
})
