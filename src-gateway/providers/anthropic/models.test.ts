import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../core/errors.js'
import { anthropic } from './index.js'

const ctx = { baseUrl: 'https://api.anthropic.com', apiKey: 'k' }

describe('anthropic manifest', () => {
  it('declares pass-through for the Anthropic dialect', () => {
    expect(anthropic).toMatchObject({
      descriptor: { type: 'anthropic', defaultBaseUrl: 'https://api.anthropic.com', locality: 'cloud' },
      passthrough: 'anthropic',
      passthroughPath: '/v1/messages',
      framing: 'sse',
    })
    expect(anthropic.passthroughHeaders?.(ctx)).toEqual({
      'anthropic-version': '2023-06-01',
      'x-api-key': 'k',
      'content-type': 'application/json',
    })
    expect(anthropic.embeddingsRequest).toBeUndefined()
  })

  it('lists models', () => {
    expect(anthropic.modelsRequest?.(ctx)).toEqual({
      method: 'GET',
      path: '/v1/models?limit=1000',
      headers: { 'anthropic-version': '2023-06-01', 'x-api-key': 'k' },
    })
    const body = {
      data: [
        {
          type: 'model',
          id: 'claude-sonnet-4-5-20250929',
          display_name: 'Claude Sonnet 4.5',
          created_at: '2025-09-29T00:00:00Z',
        },
        { type: 'model', id: 'claude-x' },
      ],
      has_more: false,
    }
    expect(anthropic.modelsResponse?.(body)).toEqual([
      { id: 'claude-sonnet-4-5-20250929', ownedBy: 'anthropic', created: 1759104000 },
      { id: 'claude-x', ownedBy: 'anthropic' },
    ])
    expect(() => anthropic.modelsResponse?.({})).toThrow(GatewayError)
  })

  it('counts tokens with the Messages body minus generation settings', () => {
    const req = anthropic.countTokensRequest?.(
      {
        model: 'alias',
        messages: [
          { role: 'system', content: 'S' },
          { role: 'user', content: 'hi' },
        ],
        max_tokens: 5,
        temperature: 1,
      },
      'claude-sonnet-4-5',
      ctx,
    )
    expect(req?.path).toBe('/v1/messages/count_tokens')
    expect(JSON.parse(req?.body ?? '')).toEqual({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      system: [{ type: 'text', text: 'S' }],
    })
    expect(anthropic.countTokensResponse?.({ input_tokens: 1234 })).toBe(1234)
    expect(() => anthropic.countTokensResponse?.({})).toThrow(GatewayError)
  })
})
