import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../core/errors.js'
import { createAnthropicStreamDecoder } from './stream.js'

const frame = (data: unknown, event?: string) => ({ event, data: JSON.stringify(data) })
const start = frame({ type: 'message_start', message: { id: 'msg_1', model: 'claude-x', usage: { input_tokens: 3 } } })

function thrown(fn: () => unknown): GatewayError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError)
    return err as GatewayError
  }
  throw new Error('expected a GatewayError')
}

describe('createAnthropicStreamDecoder', () => {
  it('ignores ping and unknown events, and ends cleanly after message_stop', () => {
    const d = createAnthropicStreamDecoder('m')
    expect(d.push(start)).toHaveLength(1)
    expect(d.push(frame({ type: 'ping' }, 'ping'))).toEqual([])
    expect(d.push(frame({ type: 'content_block_delta', index: 0, delta: { type: 'citations_delta' } }))).toEqual([])
    expect(d.push(frame({ type: 'message_stop' }))[0].choices).toEqual([])
    expect(d.end()).toEqual([])
  })

  it('takes a tool input sent whole in content_block_start (compatible servers)', () => {
    const d = createAnthropicStreamDecoder('m')
    d.push(start)
    const [c] = d.push(
      frame({
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: 't1', name: 'f', input: { a: 1 } },
      }),
    )
    expect(c.choices[0].delta.tool_calls).toEqual([
      { index: 0, id: 't1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
    ])
  })

  it.each([
    ['rate_limit_error', 'rate_limited', 429],
    ['api_error', 'upstream', 500],
    ['overloaded_error', 'upstream_overloaded', 529],
    ['some_new_error', 'upstream', 500],
  ])('maps an in-stream %s to %s', (type, kind, status) => {
    const d = createAnthropicStreamDecoder('m')
    const err = thrown(() => d.push(frame({ type: 'error', error: { type, message: 'boom' } }, 'error')))
    expect([err.kind, err.status, err.message]).toEqual([kind, status, 'boom'])
  })

  it('recognises an error frame that has no event line', () => {
    const d = createAnthropicStreamDecoder('m')
    const err = thrown(() =>
      d.push(frame({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })),
    )
    expect(err.kind).toBe('upstream_overloaded')
  })

  it('rejects a frame that is not JSON', () => {
    const d = createAnthropicStreamDecoder('m')
    expect(thrown(() => d.push({ data: '<html>' })).kind).toBe('upstream')
  })

  it('fails a stream that ends before message_stop, even after message_delta', () => {
    const d = createAnthropicStreamDecoder('m')
    d.push(start)
    d.push(frame({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } }))
    expect(thrown(() => d.end()).message).toBe('upstream stream ended before message_stop')
  })
})
