import { describe, expect, it } from 'vitest'
import { createAnthropicStreamEncoder } from '../../api/anthropic/stream-encoder.js'
import { openaiStreamEncoder } from '../../api/openai/codec.js'
import type { ChatChunk, ChatResponse, ChunkDelta, FinishReason } from '../../core/chat-types.js'
import { assembleResponse, ResponseAccumulator, replayChunks } from './canonical.js'

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const usage = { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 }

const chunk = (delta: ChunkDelta, finish: FinishReason | null = null): ChatChunk => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1700000000,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, delta, finish_reason: finish }],
})

const answer = (message: ChatResponse['choices'][0]['message'], finish: FinishReason = 'stop'): ChatResponse => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1700000000,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message, finish_reason: finish }],
  usage,
})

describe('assembleResponse', () => {
  it('joins content and the argument deltas of interleaved tool calls by index', () => {
    const usageChunk = chunk({})
    usageChunk.choices = []
    usageChunk.usage = usage
    const res = assembleResponse([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Checking ' }),
      chunk({ content: 'both.' }),
      chunk({
        tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'weather', arguments: '' } }],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({
        tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'time', arguments: '{"tz"' } }],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: ':"CET"}' } }] }),
      chunk({}, 'tool_calls'),
      usageChunk,
    ])
    expect(res).toEqual(
      answer(
        {
          role: 'assistant',
          content: 'Checking both.',
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_b', type: 'function', function: { name: 'time', arguments: '{"tz":"CET"}' } },
          ],
        },
        'tool_calls',
      ),
    )
  })

  it('rebuilds signed thinking blocks, in order with redacted ones', () => {
    const res = assembleResponse([
      chunk({ role: 'assistant', content: '' }),
      chunk({ reasoning_content: 'Let me ' }),
      chunk({ reasoning_content: 'think.' }),
      chunk({ reasoning_signature: 'sig1' }),
      chunk({ redacted_thinking: 'opaque' }),
      chunk({ reasoning_content: 'Again.' }),
      chunk({ reasoning_signature: 'sig2' }),
      chunk({ content: 'Done.' }),
      chunk({}, 'stop'),
    ])
    expect(res.choices[0].message).toEqual({
      role: 'assistant',
      content: 'Done.',
      reasoning_content: 'Let me think.Again.',
      thinking_blocks: [
        { type: 'thinking', thinking: 'Let me think.', signature: 'sig1' },
        { type: 'redacted_thinking', data: 'opaque' },
        { type: 'thinking', thinking: 'Again.', signature: 'sig2' },
      ],
    })
  })

  it('keeps unsigned reasoning as reasoning_content only, and an empty answer as null content', () => {
    const acc = new ResponseAccumulator()
    acc.push(chunk({ role: 'assistant', content: '' }))
    acc.push(chunk({ reasoning_content: 'hmm' }))
    acc.push(chunk({}, 'length'))
    const res = acc.result()!
    expect(res.choices[0]).toEqual({
      index: 0,
      message: { role: 'assistant', content: null, reasoning_content: 'hmm' },
      finish_reason: 'length',
    })
    expect(res.usage).toBeUndefined()
  })

  it('assembles a tool call with a huge index without walking every index below it', () => {
    // An upstream chooses the index; a sparse array of that length took seconds to filter (minutes near 2^32).
    const acc = new ResponseAccumulator()
    acc.push(chunk({ tool_calls: [{ index: 100_000_000, id: 'c', function: { name: 'f', arguments: '{}' } }] }))
    acc.push(chunk({ tool_calls: [{ index: 2, id: 'b', function: { name: 'g', arguments: '{}' } }] }))
    const t0 = performance.now()
    const calls = acc.result()!.choices[0].message.tool_calls
    // Old code: 3.5 s; the bound leaves room for a loaded CI machine.
    expect(performance.now() - t0).toBeLessThan(1000)
    expect(calls?.map((c) => c.id)).toEqual(['b', 'c'])
  })

  it('drops an answer that outgrows its limit and keeps nothing more of it', () => {
    const acc = new ResponseAccumulator(10)
    acc.push(chunk({ content: '12345' }))
    acc.push(chunk({ tool_calls: [{ index: 0, id: 'c', function: { name: 'f', arguments: '{}' } }] }))
    expect(acc.result()).toBeDefined()
    acc.push(chunk({ content: '678' }))
    acc.push(chunk({}, 'stop'))
    expect(acc.result()).toBeUndefined()
  })
})

describe('replayChunks', () => {
  // The emoji (a surrogate pair) straddles the first piece boundary.
  const long = `${'a'.repeat(63)}😀${'The quick brown fox jumps over the lazy dog. '.repeat(4)}`
  const stored = answer(
    {
      role: 'assistant',
      content: long,
      reasoning_content: 'Plan first.',
      thinking_blocks: [
        { type: 'thinking', thinking: 'Plan first.', signature: 'sig' },
        { type: 'redacted_thinking', data: 'opaque' },
      ],
      tool_calls: [
        { id: 'call_a', type: 'function', function: { name: 'weather', arguments: `{"city":"${'P'.repeat(100)}"}` } },
        { id: 'call_b', type: 'function', function: { name: 'time', arguments: '{}' } },
      ],
    },
    'tool_calls',
  )

  it('round-trips through assembleResponse', () => {
    expect(assembleResponse(replayChunks(stored))).toEqual(stored)
    const plain = answer({ role: 'assistant', content: 'Paris.' })
    plain.stop_sequence = '\n\n'
    plain.system_fingerprint = 'fp_1'
    expect(assembleResponse(replayChunks(plain))).toEqual(plain)
  })

  it('streams like an upstream: role first, content in pieces, tool call ids before arguments, finish, then usage', () => {
    const chunks = replayChunks(stored)
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' })
    const content = chunks.filter((c) => c.choices[0]?.delta.content)
    expect(content.length).toBeGreaterThan(2)
    // A surrogate pair is never cut in two, so every piece is valid UTF-16 on its own.
    for (const c of content) expect(c.choices[0].delta.content).not.toMatch(LONE_SURROGATE)
    const toolDeltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])
    expect(toolDeltas[0]).toMatchObject({ index: 0, id: 'call_a', function: { name: 'weather', arguments: '' } })
    expect(toolDeltas.filter((t) => t.index === 0).length).toBeGreaterThan(2)
    const [finish, last] = chunks.slice(-2)
    expect(finish.choices[0]).toEqual({ index: 0, delta: {}, finish_reason: 'tool_calls' })
    expect(last.choices).toEqual([])
    expect(last.usage).toEqual(usage)
  })

  it('feeds the dialect stream encoders as an upstream stream would', () => {
    const openai = openaiStreamEncoder(true)
    const sse =
      replayChunks(stored)
        .map((c) => openai.chunk(c))
        .join('') + openai.end()
    expect(sse).toContain('"finish_reason":"tool_calls"')
    expect(sse.trimEnd().endsWith('data: [DONE]')).toBe(true)

    const anthropic = createAnthropicStreamEncoder('claude-x')
    const events =
      replayChunks(stored)
        .map((c) => anthropic.chunk(c))
        .join('') + anthropic.end()
    const types = [...events.matchAll(/^event: (\S+)$/gm)].map((m) => m[1])
    expect(types[0]).toBe('message_start')
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop'])
    expect(events).toContain('"signature_delta","signature":"sig"')
    expect(events).toContain('"type":"redacted_thinking","data":"opaque"')
    expect(events).toContain('"type":"tool_use","id":"call_b","name":"time"')
    expect(events).toContain('"stop_reason":"tool_use"')
    expect(events).toContain('"output_tokens":30')
  })
})
