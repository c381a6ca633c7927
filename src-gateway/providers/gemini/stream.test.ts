import { describe, expect, it } from 'vitest'
import type { ChatRequest } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { toGeminiRequest } from './chat.js'
import { fromGeminiResponse } from './response.js'
import { createGeminiStreamDecoder } from './stream.js'

const frame = (body: unknown) => ({ data: JSON.stringify(body) })
const text = (t: string, finishReason?: string) => ({
  candidates: [{ content: { role: 'model', parts: [{ text: t }] }, ...(finishReason ? { finishReason } : {}) }],
})

describe('Gemini stream decoder', () => {
  it('throws on end() when no chunk carried a finishReason (a cut connection looks like a normal close)', () => {
    const d = createGeminiStreamDecoder('gemini-2.5-flash')
    expect(d.push(frame(text('partial')))).toHaveLength(1)
    expect(() => d.end()).toThrow(GatewayError)
  })

  it('keeps one id across chunks and emits the last usage seen at the end', () => {
    const d = createGeminiStreamDecoder('gemini-2.5-flash')
    const chunks = [
      ...d.push(frame({ ...text('a'), usageMetadata: { promptTokenCount: 3 } })),
      ...d.push(frame({ ...text('b', 'STOP'), usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2 } })),
      ...d.end(),
    ]
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1)
    expect(chunks[0].id).toMatch(/^chatcmpl-/)
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 })
  })

  it('treats a blocked prompt (no candidates) as a content_filter finish', () => {
    const d = createGeminiStreamDecoder('gemini-2.5-flash')
    const chunks = d.push(frame({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' } }))
    expect(chunks.map((c) => c.choices[0]?.finish_reason)).toEqual(['content_filter'])
    expect(d.end()).toEqual([])
  })

  it('refuses a frame that is not JSON', () => {
    expect(() => createGeminiStreamDecoder('m').push({ data: '[{"candidates":' })).toThrow(/not JSON/)
  })
})

describe('Gemini thought signatures (pitfall P8)', () => {
  it('survive a round trip: reply → client history → next request', () => {
    const reply = fromGeminiResponse(
      {
        candidates: [
          {
            content: {
              role: 'model',
              parts: [
                { functionCall: { name: 'a', args: { x: 1 } }, thoughtSignature: 'SIG1' },
                { functionCall: { name: 'b', args: {} } },
              ],
            },
            finishReason: 'STOP',
          },
        ],
      },
      'gemini-3-pro',
    )
    const calls = reply.choices[0].message.tool_calls ?? []
    expect(calls).toHaveLength(2)
    expect(calls[0].id).not.toBe(calls[1].id)
    const next: ChatRequest = {
      model: 'x',
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: null, tool_calls: calls },
        { role: 'tool', tool_call_id: calls[1].id, content: 'done' },
        { role: 'tool', tool_call_id: calls[0].id, content: '[1,2]' },
      ],
    }
    expect(toGeminiRequest(next).contents).toEqual([
      { role: 'user', parts: [{ text: 'go' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'a', args: { x: 1 } }, thoughtSignature: 'SIG1' },
          { functionCall: { name: 'b', args: {} } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'b', response: { result: 'done' } } },
          { functionResponse: { name: 'a', response: { result: [1, 2] } } },
        ],
      },
    ])
  })
})
