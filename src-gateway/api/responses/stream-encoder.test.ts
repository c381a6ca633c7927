import { describe, expect, it } from 'vitest'
import type { ChatChunk, ChunkDelta, FinishReason, Usage } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { createResponsesStreamEncoder } from './stream-encoder.js'
import { carriedThinking } from './thinking-carrier.js'

const USAGE: Usage = {
  prompt_tokens: 10,
  completion_tokens: 4,
  total_tokens: 14,
  prompt_tokens_details: { cached_tokens: 3 },
}

function chunk(delta: ChunkDelta, finish: FinishReason | null = null, usage?: Usage): ChatChunk {
  return {
    id: 'c1',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'm',
    choices: [{ index: 0, delta, finish_reason: finish }],
    usage,
  }
}
const usageOnly = (): ChatChunk => ({
  id: 'c1',
  object: 'chat.completion.chunk',
  created: 0,
  model: 'm',
  choices: [],
  usage: USAGE,
})

// biome-ignore lint/suspicious/noExplicitAny: parsed wire output, checked field by field by the assertions
function parse(sse: string): { event: string; data: Record<string, any> }[] {
  return sse
    .trim()
    .split('\n\n')
    .map((block) => {
      const [e, d] = block.split('\n')
      return { event: e.slice(7), data: JSON.parse(d.slice(6)) }
    })
}

function run(chunks: ChatChunk[], finishWith: 'end' | GatewayError = 'end') {
  const enc = createResponsesStreamEncoder('my-model')
  let out = ''
  for (const c of chunks) out += enc.chunk(c)
  out += finishWith === 'end' ? enc.end() : enc.error(finishWith)
  const events = parse(out)
  // Every event names itself twice and counts up from zero.
  events.forEach((e, i) => {
    expect(e.data.type).toBe(e.event)
    expect(e.data.sequence_number).toBe(i)
  })
  return events
}

describe('Responses stream encoder', () => {
  it('wraps text in the message item events and ends with response.completed carrying usage', () => {
    const events = run([
      chunk({ role: 'assistant', content: 'Hel' }),
      chunk({ content: 'lo' }),
      chunk({}, 'stop'),
      usageOnly(),
    ])
    expect(events.map((e) => e.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ])
    expect(events[0].data.response).toMatchObject({
      object: 'response',
      status: 'in_progress',
      model: 'my-model',
      output: [],
    })
    expect(events[6].data.text).toBe('Hello')
    const item = events[8].data.item
    expect(item).toMatchObject({
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: 'Hello' }],
    })
    const done = events[9].data.response
    expect(done.id).toBe(events[0].data.response.id)
    expect(done).toMatchObject({ status: 'completed', output: [item] })
    expect(done.usage).toEqual({
      input_tokens: 10,
      input_tokens_details: { cached_tokens: 3 },
      output_tokens: 4,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 14,
    })
  })

  it('waits for the usage chunk after the finish chunk before the terminal event', () => {
    const enc = createResponsesStreamEncoder('m')
    const beforeUsage = enc.chunk(chunk({ content: 'x' })) + enc.chunk(chunk({}, 'stop'))
    expect(beforeUsage).not.toContain('response.completed')
    expect(enc.chunk(usageOnly())).toContain('"type":"response.completed"')
    expect(enc.end()).toBe('')
  })

  it('streams interleaved tool calls as function_call items, closed with their whole arguments', () => {
    const events = run([
      chunk({
        tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '{"a":' } }],
      }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'g', arguments: '{}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }),
      chunk({}, 'tool_calls', USAGE),
    ])
    const added = events.filter((e) => e.event === 'response.output_item.added').map((e) => e.data)
    expect(added.map((a) => [a.output_index, a.item.call_id, a.item.name])).toEqual([
      [0, 'call_a', 'f'],
      [1, 'call_b', 'g'],
    ])
    const deltas = events
      .filter((e) => e.event === 'response.function_call_arguments.delta')
      .map((e) => [e.data.output_index, e.data.delta])
    expect(deltas).toEqual([
      [0, '{"a":'],
      [1, '{}'],
      [0, '1}'],
    ])
    const done = events.filter((e) => e.event === 'response.output_item.done').map((e) => e.data.item)
    expect(done).toEqual([
      expect.objectContaining({
        type: 'function_call',
        call_id: 'call_a',
        name: 'f',
        arguments: '{"a":1}',
        status: 'completed',
      }),
      expect.objectContaining({
        type: 'function_call',
        call_id: 'call_b',
        name: 'g',
        arguments: '{}',
        status: 'completed',
      }),
    ])
    expect(events.at(-1)!.data.response.output).toEqual(done)
  })

  it('puts reasoning in a reasoning item before the message', () => {
    const events = run([chunk({ reasoning_content: 'think' }), chunk({ content: 'answer' }), chunk({}, 'stop', USAGE)])
    const done = events.filter((e) => e.event === 'response.output_item.done').map((e) => e.data.item)
    expect(done.map((i) => i.type)).toEqual(['reasoning', 'message'])
    expect(done[0].summary).toEqual([{ type: 'summary_text', text: 'think' }])
    expect(events.some((e) => e.event === 'response.reasoning_summary_text.delta' && e.data.delta === 'think')).toBe(
      true,
    )
  })

  it("carries Anthropic's signed and redacted thinking in the reasoning item's encrypted_content", () => {
    const events = run([
      chunk({ reasoning_content: 'Two ' }),
      chunk({ reasoning_content: 'cities.' }),
      chunk({ reasoning_signature: 'sig-1' }),
      chunk({ redacted_thinking: 'opaque==' }),
      chunk({ content: 'answer' }),
      chunk({}, 'stop', USAGE),
    ])
    const done = events.filter((e) => e.event === 'response.output_item.done').map((e) => e.data.item)
    expect(done.map((i) => i.type)).toEqual(['reasoning', 'message'])
    expect(carriedThinking(done[0].encrypted_content)).toEqual([
      { type: 'thinking', thinking: 'Two cities.', signature: 'sig-1' },
      { type: 'redacted_thinking', data: 'opaque==' },
    ])
  })

  it('a length finish ends with response.incomplete and the reason', () => {
    const events = run([chunk({ content: 'cut' }), chunk({}, 'length', USAGE)])
    expect(events.at(-1)!.event).toBe('response.incomplete')
    expect(events.at(-1)!.data.response).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
    })
  })

  it('an upstream that stops without a finish reason ends with response.failed', () => {
    const events = run([chunk({ content: 'half' })])
    expect(events.at(-1)!.event).toBe('response.failed')
    expect(events.at(-1)!.data.response.error.message).toMatch(/without a finish reason/)
  })

  it('an error before any chunk still opens the response, then fails it', () => {
    const events = run([], new GatewayError('rate_limited', 'slow down'))
    expect(events.map((e) => e.event)).toEqual(['response.created', 'response.in_progress', 'response.failed'])
    expect(events[2].data.response.error).toEqual({ code: 'rate_limit_exceeded', message: 'slow down' })
  })

  it('escapes text safely inside the templates', () => {
    const events = run([chunk({ content: 'a "quoted"\nline' }), chunk({}, 'stop', USAGE)])
    expect(events.find((e) => e.event === 'response.output_text.done')!.data.text).toBe('a "quoted"\nline')
  })
})
