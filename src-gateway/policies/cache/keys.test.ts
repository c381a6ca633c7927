import { describe, expect, it } from 'vitest'
import type { ChatRequest } from '../../core/chat-types.js'
import { cacheKeys } from './keys.js'

const tool = {
  type: 'function' as const,
  function: { name: 'weather', description: 'Weather', parameters: { type: 'object', properties: { city: {} } } },
}

const base = (): ChatRequest => ({
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: 'Hello.' },
    { role: 'user', content: 'What is the capital of France?' },
  ],
  temperature: 0.2,
  max_tokens: 100,
  tools: [tool],
})

describe('cacheKeys', () => {
  it('does not depend on the order of keys anywhere in the request', () => {
    const reordered: ChatRequest = {
      tools: [
        {
          function: {
            parameters: { properties: { city: {} }, type: 'object' },
            description: 'Weather',
            name: 'weather',
          },
          type: 'function',
        },
      ],
      max_tokens: 100,
      messages: base().messages.map((m) => ({ content: m.content, role: m.role })),
      temperature: 0.2,
      model: 'gpt-4o-mini',
    }
    expect(cacheKeys(reordered)).toEqual(cacheKeys(base()))
  })

  it('ignores stream, stream_options, user and metadata', () => {
    const streamed = {
      ...base(),
      stream: true,
      stream_options: { include_usage: true },
      user: 'u-42',
      metadata: { session: 'abc' },
    }
    expect(cacheKeys(streamed)).toEqual(cacheKeys(base()))
  })

  it('treats a null parameter as absent, a lone text part as its string, and ignores cache_control markers', () => {
    const req = base()
    req.seed = null
    req.messages[0] = {
      role: 'system',
      content: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } }],
    }
    req.tools = [{ ...tool, cache_control: { type: 'ephemeral' } }]
    expect(cacheKeys(req)).toEqual(cacheKeys(base()))
  })

  const withMessage = (r: ChatRequest, i: number, content: string): ChatRequest => ({
    ...r,
    messages: r.messages.map((m, j) => (j === i ? { ...m, content } : m)),
  })
  const changes: [string, (r: ChatRequest) => ChatRequest][] = [
    ['temperature', (r) => ({ ...r, temperature: 0.3 })],
    ['top_p', (r) => ({ ...r, top_p: 0.9 })],
    ['max_tokens', (r) => ({ ...r, max_tokens: 101 })],
    ['stop', (r) => ({ ...r, stop: ['\n'] })],
    ['seed', (r) => ({ ...r, seed: 7 })],
    ['tool_choice', (r) => ({ ...r, tool_choice: 'required' })],
    ['response_format', (r) => ({ ...r, response_format: { type: 'json_object' } })],
    ['a vendor parameter', (r) => ({ ...r, top_k: 40 })],
    ['the tools', (r) => ({ ...r, tools: [{ ...tool, function: { ...tool.function, name: 'forecast' } }] })],
    ['the model', (r) => ({ ...r, model: 'gpt-4o' })],
    ['the system prompt', (r) => withMessage(r, 0, 'You are verbose.')],
    ['an earlier turn', (r) => withMessage(r, 2, 'Hey.')],
  ]
  it.each(changes)('changes both keys when %s changes', (_, change) => {
    const before = cacheKeys(base())
    const after = cacheKeys(change(base()))
    expect(after.exact).not.toBe(before.exact)
    expect(after.namespace).not.toBe(before.namespace)
  })

  it('keeps the namespace when only the last user message text changes, and returns that text', () => {
    const req = base()
    req.messages[3].content = 'Which city is the capital of France?'
    const before = cacheKeys(base())
    const after = cacheKeys(req)
    expect(after.exact).not.toBe(before.exact)
    expect(after.namespace).toBe(before.namespace)
    expect(before.semanticText).toBe('What is the capital of France?')
    expect(after.semanticText).toBe('Which city is the capital of France?')
  })

  it('keeps an image of the last user message in the namespace, and embeds only its text', () => {
    const withImage = (url: string, text: string): ChatRequest => ({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text },
            { type: 'image_url', image_url: { url } },
          ],
        },
      ],
    })
    const a = cacheKeys(withImage('data:image/png;base64,AAAA', 'What is this?'))
    expect(a.semanticText).toBe('What is this?')
    const that = cacheKeys(withImage('data:image/png;base64,AAAA', 'What is that?'))
    expect(that.namespace).toBe(a.namespace)
    expect(that.exact).not.toBe(a.exact)
    expect(cacheKeys(withImage('data:image/png;base64,BBBB', 'What is this?')).namespace).not.toBe(a.namespace)
  })

  it('uses the last user message even when tool results follow it', () => {
    const req: ChatRequest = {
      model: 'm',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: '18C' },
      ],
    }
    const keys = cacheKeys(req)
    expect(keys.semanticText).toBe('Weather in Paris?')
    const other = structuredClone(req)
    other.messages[2].content = '25C'
    expect(cacheKeys(other).namespace).not.toBe(keys.namespace)
  })

  it('gives an empty semantic text when there is no user message', () => {
    expect(cacheKeys({ model: 'm', messages: [{ role: 'system', content: 'x' }] }).semanticText).toBe('')
  })
})
