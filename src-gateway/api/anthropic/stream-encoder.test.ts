import { describe, expect, it } from 'vitest'
import type { ChatChunk, ChunkDelta, FinishReason, Usage } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { createAnthropicStreamEncoder } from './stream-encoder.js'

const chunk = (delta: ChunkDelta, finish: FinishReason | null = null, usage?: Usage): ChatChunk => ({
  id: 'c1',
  object: 'chat.completion.chunk',
  created: 0,
  model: 'up',
  choices: [{ index: 0, delta, finish_reason: finish }],
  ...(usage ? { usage } : {}),
})
const usageChunk = (usage: Usage): ChatChunk => ({ ...chunk({}), choices: [], usage })
const u = (prompt: number, completion: number): Usage => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
})

/** Parses encoder output back into [event, data] pairs, checking the event name matches data.type. */
function events(sse: string): { type: string; [k: string]: unknown }[] {
  return sse
    .split('\n\n')
    .filter((e) => e !== '')
    .map((e) => {
      const [ev, data] = e.split('\n')
      const parsed = JSON.parse(data.slice('data: '.length))
      expect(ev).toBe(`event: ${parsed.type}`)
      return parsed
    })
}

describe('createAnthropicStreamEncoder', () => {
  it('waits for the usage chunk before message_delta and message_stop', () => {
    const enc = createAnthropicStreamEncoder('claude')
    const head = enc.chunk(chunk({ content: 'hi' })) + enc.chunk(chunk({}, 'stop'))
    expect(events(head).map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
    ])
    const tail = events(enc.chunk(usageChunk(u(10, 2))))
    expect(tail).toEqual([
      {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { input_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 2 },
      },
      { type: 'message_stop' },
    ])
    expect(enc.end()).toBe('')
    expect(enc.chunk(chunk({ content: 'late' }))).toBe('')
  })

  it('closes with the last usage seen when the upstream sends none after the finish', () => {
    const enc = createAnthropicStreamEncoder('claude')
    enc.chunk(chunk({ content: 'a' }, null, u(5, 1)))
    enc.chunk(chunk({}, 'length'))
    const tail = events(enc.end())
    expect(tail[0]).toMatchObject({
      delta: { stop_reason: 'max_tokens' },
      usage: { input_tokens: 5, output_tokens: 1 },
    })
    expect(tail[1]).toEqual({ type: 'message_stop' })
  })

  it('reports a known input count in message_start', () => {
    const enc = createAnthropicStreamEncoder('claude')
    const [start] = events(enc.chunk(chunk({ role: 'assistant' }, null, u(42, 0))))
    expect(start).toMatchObject({ message: { usage: { input_tokens: 42, output_tokens: 0 } } })
  })

  it('emits an api_error instead of a clean end when no finish reason came (truncated upstream)', () => {
    const enc = createAnthropicStreamEncoder('claude')
    enc.chunk(chunk({ content: 'partial' }))
    const out = events(enc.end())
    expect(out).toEqual([
      { type: 'error', error: { type: 'api_error', message: 'upstream stream ended without a finish reason' } },
    ])
    expect(enc.error(new GatewayError('upstream', 'x'))).toBe('')
  })

  it.each([
    ['upstream_overloaded', 'overloaded_error'],
    ['rate_limited', 'rate_limit_error'],
    ['upstream_timeout', 'api_error'],
  ] as const)('writes a mid-stream %s as an %s event and nothing after it', (kind, type) => {
    const enc = createAnthropicStreamEncoder('claude')
    enc.chunk(chunk({ content: 'Hel' }))
    expect(events(enc.error(new GatewayError(kind, 'Overloaded')))).toEqual([
      { type: 'error', error: { type, message: 'Overloaded' } },
    ])
    expect(enc.chunk(chunk({ content: 'lo' }))).toBe('')
    expect(enc.end()).toBe('')
  })

  it('opens a tool block before any delta, even when arguments come before the id (P2)', () => {
    const enc = createAnthropicStreamEncoder('claude')
    const out = events(
      enc.chunk(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] })) +
        enc.chunk(chunk({ tool_calls: [{ index: 0, id: 'call_9', function: { arguments: ':1}' } }] })),
    )
    expect(out.slice(1)).toEqual([
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: 'toolu_c1_0', name: '', input: {} },
      },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"a"' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: ':1}' } },
    ])
  })

  it('keys tool deltas without an index by id, else the latest call (P1)', () => {
    const enc = createAnthropicStreamEncoder('claude')
    const noIndex = (d: object) => d as unknown as NonNullable<ChunkDelta['tool_calls']>[number]
    const out = events(
      enc.chunk(chunk({ tool_calls: [noIndex({ id: 'a', function: { name: 'f', arguments: '' } })] })) +
        enc.chunk(chunk({ tool_calls: [noIndex({ function: { arguments: '{}' } })] })) +
        enc.chunk(chunk({ tool_calls: [noIndex({ id: 'b', function: { name: 'g', arguments: '{}' } })] })) +
        enc.chunk(chunk({}, 'tool_calls', u(1, 1))),
    )
    expect(out.filter((e) => e.type !== 'message_start').map((e) => [e.type, e.index])).toEqual([
      ['content_block_start', 0],
      ['content_block_delta', 0],
      ['content_block_stop', 0],
      ['content_block_start', 1],
      ['content_block_delta', 1],
      ['content_block_stop', 1],
      ['message_delta', undefined],
      ['message_stop', undefined],
    ])
    expect(out.at(-2)).toMatchObject({ delta: { stop_reason: 'tool_use' } })
  })

  it('reports tool_calls without any tool call as end_turn, and content_filter as refusal', () => {
    const a = createAnthropicStreamEncoder('claude')
    a.chunk(chunk({}, 'tool_calls'))
    expect(events(a.end())[0]).toMatchObject({ delta: { stop_reason: 'end_turn' } })
    const b = createAnthropicStreamEncoder('claude')
    b.chunk(chunk({ refusal: 'I cannot help with that.' }, 'content_filter'))
    expect(events(b.end())[0]).toMatchObject({ delta: { stop_reason: 'refusal' } })
  })

  it('tolerates chunks with null choices (P15)', () => {
    const enc = createAnthropicStreamEncoder('claude')
    const c = { ...chunk({}), choices: null } as unknown as ChatChunk
    expect(events(enc.chunk(c)).map((e) => e.type)).toEqual(['message_start'])
  })
})
