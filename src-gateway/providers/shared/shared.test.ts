import { describe, expect, it } from 'vitest'
import { parseDataUrl } from './data-url.js'
import { toFinishReason } from './finish-reasons.js'
import { mimeTypeFromUrl } from './mime-types.js'
import { synthesizeCompletionId, synthesizeToolCallId } from './synthetic-ids.js'

describe('parseDataUrl', () => {
  it('splits base64 data URLs, with or without extra parameters', () => {
    expect(parseDataUrl('data:image/png;base64,iVBOR')).toEqual({ mimeType: 'image/png', data: 'iVBOR' })
    expect(parseDataUrl('data:image/jpeg;name=a.jpg;base64,/9j/')).toEqual({ mimeType: 'image/jpeg', data: '/9j/' })
  })
  it('rejects what is not a base64 data URL', () => {
    expect(parseDataUrl('https://example.com/a.png')).toBeUndefined()
    expect(parseDataUrl('data:text/plain,hello')).toBeUndefined()
  })
})

describe('mimeTypeFromUrl', () => {
  it('reads the extension of the path, not the query', () => {
    expect(mimeTypeFromUrl('https://x.test/a/b.WEBP?v=1.png#c', 'image/jpeg')).toBe('image/webp')
    expect(mimeTypeFromUrl('https://x.test/photo', 'image/jpeg')).toBe('image/jpeg')
  })
})

describe('toFinishReason (pitfall P11)', () => {
  const table = { STOP: 'stop', MAX_TOKENS: 'length' } as const
  it('derives tool_calls from the content, and never claims it without calls', () => {
    expect(toFinishReason(table, 'STOP', true)).toBe('tool_calls')
    expect(toFinishReason(table, 'MAX_TOKENS', true)).toBe('length')
    expect(toFinishReason({ tool_calls: 'tool_calls' }, 'tool_calls', false)).toBe('stop')
    expect(toFinishReason(table, 'SOMETHING_NEW', false)).toBe('stop')
  })
})

describe('synthetic ids', () => {
  it('are unique and valid Anthropic tool ids (pitfall P17)', () => {
    const ids = Array.from({ length: 100 }, synthesizeToolCallId)
    expect(new Set(ids).size).toBe(100)
    for (const id of ids) expect(id).toMatch(/^call_[a-zA-Z0-9]{24}$/)
    expect(synthesizeCompletionId()).toMatch(/^chatcmpl-[a-zA-Z0-9]{24}$/)
  })
})
