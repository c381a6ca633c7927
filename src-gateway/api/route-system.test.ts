import { describe, expect, it } from 'vitest'
import type { ChatRequest } from '../core/chat-types.js'
import type { GatewayCall } from '../pipeline/call.js'
import { anthropicCodec } from './anthropic/codec.js'
import { openaiCodec } from './openai/codec.js'
import { applyRouteSystem } from './route-system.js'

const route = { targets: [{ model: 'p/m' }], system: { prepend: 'FIRST', append: 'LAST' } }
const call = (dialect: GatewayCall['dialect'], body: Record<string, unknown>) =>
  ({ dialect, codec: dialect === 'openai' ? openaiCodec : anthropicCodec, body }) as unknown as GatewayCall
const canonical = (messages: ChatRequest['messages']): ChatRequest => ({ model: 'fast', messages })

describe('route system instructions', () => {
  it('wraps the system block of OpenAI bodies and of the canonical request', () => {
    const messages = [
      { role: 'system' as const, content: 'own' },
      { role: 'user' as const, content: 'hi' },
    ]
    const c = call('openai', { model: 'fast', messages })
    const out = applyRouteSystem(route, c, canonical(messages))
    const expected = ['FIRST', 'own', 'LAST', 'hi']
    expect(out.messages.map((m) => m.content)).toEqual(expected)
    expect((c.body.messages as { content: string }[]).map((m) => m.content)).toEqual(expected)
    expect(messages).toHaveLength(2)
  })

  it('wraps Anthropic `system` whether absent, a string or text blocks', () => {
    const absent = call('anthropic', { messages: [] })
    applyRouteSystem(route, absent, canonical([]))
    expect(absent.body.system).toBe('FIRST\n\nLAST')
    const text = call('anthropic', { system: 'own', messages: [] })
    applyRouteSystem(route, text, canonical([]))
    expect(text.body.system).toBe('FIRST\n\nown\n\nLAST')
    const blocks = call('anthropic', { system: [{ type: 'text', text: 'own' }], messages: [] })
    applyRouteSystem({ ...route, system: { append: 'LAST' } }, blocks, canonical([]))
    expect(blocks.body.system).toEqual([
      { type: 'text', text: 'own' },
      { type: 'text', text: 'LAST' },
    ])
  })

  it('leaves calls to plain models and routes without instructions alone', () => {
    const c = call('openai', { messages: [] })
    const req = canonical([{ role: 'user', content: 'hi' }])
    expect(applyRouteSystem(undefined, c, req)).toBe(req)
    expect(applyRouteSystem({ targets: route.targets }, c, req)).toBe(req)
  })
})
