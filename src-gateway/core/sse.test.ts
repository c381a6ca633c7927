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

  it('joins a long line that arrives in many chunks, CR LF split included', () => {
    const long = 'x'.repeat(100_000)
    const pieces = [
      `data: ${long.slice(0, 10)}`,
      ...Array.from({ length: 9999 }, (_, i) => long.slice(10 + i * 10, 20 + i * 10)),
    ]
    expect(feed(createSseParser(), [...pieces, '\r', '\n\r\ndata: y\n\n'])).toEqual([{ data: long }, { data: 'y' }])
  })

  it('refuses a line longer than the cap with a 502 naming it, however it is chunked', () => {
    const p = createSseParser()
    const chunk = 'a'.repeat(1024 * 1024)
    p.push('data: ')
    expect(() => {
      for (let i = 0; i < 9; i++) p.push(chunk)
    }).toThrow(expect.objectContaining({ status: 502, message: expect.stringMatching(/upstream reply exceeds 8 MB/) }))
    expect(() => createSseParser().push(`data: ${'a'.repeat(9 * 1024 * 1024)}`)).toThrow(/exceeds 8 MB/)
  })
})

describe('createNdjsonParser', () => {
  it('splits lines across chunks and keeps a final unterminated line', () => {
    const p = createNdjsonParser()
    const out = [...p.push('{"a":'), ...p.push('1}\n\n{"b"'), ...p.push(':2}'), ...p.flush()]
    expect(out).toEqual([{ data: '{"a":1}' }, { data: '{"b":2}' }])
  })

  it('refuses a line longer than the cap', () => {
    const p = createNdjsonParser()
    const chunk = `{"a":"${'a'.repeat(1024 * 1024)}`
    expect(() => {
      for (let i = 0; i < 9; i++) p.push(chunk)
    }).toThrow(/upstream reply exceeds 8 MB/)
  })
})
