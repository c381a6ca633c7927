import { describe, expect, it } from 'vitest'
import { GATEWAY_THINKING_SIGNATURE } from '../../core/thinking-signature.js'
import { withSendableThinking } from './thinking.js'

const signed = { type: 'thinking', thinking: 'Mine.', signature: 'c2ln' }
const foreign = { type: 'thinking', thinking: 'Theirs.', signature: GATEWAY_THINKING_SIGNATURE }
const use = { type: 'tool_use', id: 't1', name: 'f', input: {} }
const result = { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'x' }] }
const on = { type: 'enabled', budget_tokens: 1024 }

describe('withSendableThinking', () => {
  it('returns the very body when there is nothing to change', () => {
    const body = {
      model: 'm',
      thinking: on,
      messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: [signed, use] }, result],
    }
    expect(withSendableThinking(body)).toBe(body)
  })

  it('leaves out blocks Anthropic did not sign and turns left empty, without changing the client body', () => {
    const body = {
      model: 'm',
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: [foreign] },
        { role: 'user', content: 'b' },
        {
          role: 'assistant',
          content: [{ type: 'thinking', thinking: 'x', signature: '' }, signed, { type: 'text', text: 'ok' }],
        },
      ],
    }
    const copy = structuredClone(body)
    expect(withSendableThinking(body).messages).toEqual([
      { role: 'user', content: 'a' },
      { role: 'user', content: 'b' },
      { role: 'assistant', content: [signed, { type: 'text', text: 'ok' }] },
    ])
    expect(body).toEqual(copy)
  })

  it.each([
    [
      'the last tool turn has no thinking',
      [{ role: 'user', content: 'a' }, { role: 'assistant', content: [use] }, result],
      undefined,
    ],
    [
      'a prefill has no thinking',
      [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'Sure' },
      ],
      undefined,
    ],
    [
      'a fresh user turn follows',
      [{ role: 'user', content: 'a' }, { role: 'assistant', content: [use] }, result, { role: 'user', content: 'b' }],
      on,
    ],
    [
      'the last tool turn starts with redacted thinking',
      [{ role: 'assistant', content: [{ type: 'redacted_thinking', data: 'r' }, use] }, result],
      on,
    ],
  ])('thinking when %s: %o', (_, messages, thinking) => {
    expect(withSendableThinking({ model: 'm', thinking: on, messages }).thinking).toEqual(thinking)
  })

  it('drops thinking when tool_choice forces a tool, and the clear_thinking edit with it', () => {
    const out = withSendableThinking({
      model: 'm',
      thinking: on,
      tool_choice: { type: 'any' },
      context_management: { edits: [{ type: 'clear_thinking_20251015' }, { type: 'clear_tool_uses_20250919' }] },
      messages: [{ role: 'user', content: 'a' }],
    })
    expect(out).not.toHaveProperty('thinking')
    expect(out.context_management).toEqual({ edits: [{ type: 'clear_tool_uses_20250919' }] })
  })
})
