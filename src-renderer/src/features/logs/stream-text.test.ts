import { describe, expect, it } from 'vitest'
import { joinStreamText } from './stream-text'

describe('joinStreamText', () => {
  it('joins OpenAI chunk deltas and counts events', () => {
    const body = [
      'data: {"choices":[{"delta":{"role":"assistant","content":""}}]}',
      'data: {"choices":[{"delta":{"content":"Echo: "}}]}',
      'data: {"choices":[{"delta":{"content":"hi"}}]}',
      'data: {"choices":[],"usage":{"prompt_tokens":1}}',
      'data: [DONE]',
    ].join('\n\n')
    expect(joinStreamText(body)).toEqual({ text: 'Echo: hi', events: 4 })
  })

  it('joins Anthropic text deltas', () => {
    const body =
      'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"type":"text_delta","text":"Hel"}}\n\n' +
      'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"type":"text_delta","text":"lo"}}\n\n'
    expect(joinStreamText(body)?.text).toBe('Hello')
  })

  it('leaves a plain body alone', () => {
    expect(joinStreamText('{"id":1}')).toBeNull()
  })
})
