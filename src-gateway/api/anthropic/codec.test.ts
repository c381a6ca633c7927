import { describe, expect, it } from 'vitest'
import type { ChatResponse, FinishReason } from '../../core/chat-types.js'
import { type ErrorKind, GatewayError } from '../../core/errors.js'
import { anthropicCodec } from './codec.js'

describe('anthropicCodec.encodeError', () => {
  it.each([
    ['invalid_request', 400, 'invalid_request_error'],
    ['authentication', 401, 'authentication_error'],
    ['permission', 403, 'permission_error'],
    ['not_found', 404, 'not_found_error'],
    ['too_large', 413, 'request_too_large'],
    ['rate_limited', 429, 'rate_limit_error'],
    ['upstream_overloaded', 529, 'overloaded_error'],
    ['upstream_timeout', 504, 'api_error'],
    ['upstream', 502, 'api_error'],
    ['internal', 500, 'api_error'],
  ] as const)('%s → %i %s', (kind: ErrorKind, status, type) => {
    expect(anthropicCodec.encodeError(new GatewayError(kind, 'why'))).toEqual({
      status,
      body: { type: 'error', error: { type, message: 'why' } },
    })
  })

  it('keeps the upstream status, except overloaded which Anthropic clients know as 529', () => {
    expect(anthropicCodec.encodeError(new GatewayError('upstream', 'x', { status: 500 })).status).toBe(500)
    expect(anthropicCodec.encodeError(new GatewayError('upstream_overloaded', 'x', { status: 503 })).status).toBe(529)
  })
})

describe('anthropicCodec.encodeResponse', () => {
  const res = (finish: FinishReason | null, extra: Partial<ChatResponse> = {}): ChatResponse => ({
    id: 'msg_x',
    object: 'chat.completion',
    created: 0,
    model: 'up',
    choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: finish }],
    ...extra,
  })
  const encode = (r: ChatResponse) => anthropicCodec.encodeResponse(r, 'asked') as Record<string, unknown>

  it.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['content_filter', 'refusal'],
    [null, 'end_turn'],
  ] as const)('maps finish_reason %s to %s', (finish, stop) => {
    expect(encode(res(finish)).stop_reason).toBe(stop)
  })

  it('reports the matched stop sequence and keeps an msg_ id', () => {
    expect(encode(res('stop', { stop_sequence: 'END' }))).toMatchObject({
      id: 'msg_x',
      model: 'up',
      stop_reason: 'stop_sequence',
      stop_sequence: 'END',
      usage: { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    })
  })

  it('round-trips Anthropic usage without counting cache writes twice', () => {
    const usage = {
      prompt_tokens: 2168,
      completion_tokens: 9,
      total_tokens: 2177,
      prompt_tokens_details: { cached_tokens: 2048, cache_creation_tokens: 100 },
    }
    expect(encode(res('stop', { usage })).usage).toEqual({
      input_tokens: 20,
      cache_creation_input_tokens: 100,
      cache_read_input_tokens: 2048,
      output_tokens: 9,
    })
  })
})
