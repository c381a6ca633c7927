import { describe, expect, it } from 'vitest'
import { createNdjsonParser, createSseParser, type StreamFrame } from './sse.js'

function feed(parser: ReturnType<typeof createSseParser>, pieces: (string | Buffer)[]): StreamFrame[] {
  const out: StreamFrame[] = []
  for (const p of pieces) out.push(...parser.push(p))
  out.push(...parser.flush())
  return out
}

const STREAM = 'event: message_start\ndata: {"a":1}\n\n: ping comment\n\ndata: {"b":"héllo"}\n\ndata: [DONE]\n\n'

describe('createSseParser', () => {
  it('parses named and unnamed events and skips comments', () => {
    expect(feed(createSseParser(), [STREAM])).toEqual([
      { event: 'message_start', data: '{"a":1}' },
      { data: '{"b":"héllo"}' },
      { data: '[DONE]' },
    ])
  })

  it('gives the same frames however the bytes are split, including inside a UTF-8 character', () => {
    const bytes = Buffer.from(STREAM)
    const expected = feed(createSseParser(), [STREAM])
    for (let size = 1; size <= 7; size++) {
      const pieces: Buffer[] = []
      for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size))
      expect(feed(createSseParser(), pieces)).toEqual(expected)
    }
  })

  it('handles \\r\\n line ends split between chunks, and bare \\r', () => {
    expect(feed(createSseParser(), ['data: x\r', '\n\r', '\ndata: y\r\r'])).toEqual([{ data: 'x' }, { data: 'y' }])
  })

  it('joins multi-line data and emits a last event that lacks its blank line', () => {
    expect(feed(createSseParser(), ['data: a\ndata: b\n\ndata: tail'])).toEqual([{ data: 'a\nb' }, { data: 'tail' }])
  })

  it('reads field names and values by the spec: exact names, one optional space, bare fields', () => {
    const text =
      'dataX: no\nid: 7\nretry: 10\ndata:tight\n\n' + // other fields are ignored; the space is optional
      'data:  two\n\n' + // only one space is removed
      'data\n\n' + // a bare field is an empty value, and still an event
      'event\ndata: e\n\n' + // a bare event name is empty
      'event: x\ndata\ndata: after\n\n'
    expect(feed(createSseParser(), [text])).toEqual([
      { data: 'tight' },
      { data: ' two' },
      { data: '' },
      { event: '', data: 'e' },
      { event: 'x', data: '\nafter' },
    ])
  })
})

describe('createNdjsonParser', () => {
  it('splits lines across chunks and keeps a final unterminated line', () => {
    const p = createNdjsonParser()
    const out = [...p.push('{"a":'), ...p.push('1}\n\n{"b"'), ...p.push(':2}'), ...p.flush()]
    expect(out).toEqual([{ data: '{"a":1}' }, { data: '{"b":2}' }])
  })
})
