import { describe, expect, it } from 'vitest'
import { createSseDataBuffer } from './chat-stream'

const bytes = (s: string) => new TextEncoder().encode(s)

describe('createSseDataBuffer', () => {
  it('survives an event split across chunks, a split CRLF and a split UTF-8 character', () => {
    const buf = createSseDataBuffer()
    const euro = bytes('€')
    const out = [
      ...buf.push(bytes('data: {"a":1}\r')),
      ...buf.push(bytes('\n\r\ndata: "x')),
      ...buf.push(euro.slice(0, 2)),
      ...buf.push(Uint8Array.from([...euro.slice(2), ...bytes('"\n\ndata: [DONE]')])),
      ...buf.flush(),
    ]
    expect(out).toEqual(['{"a":1}', '"x€"', '[DONE]'])
  })

  it('ignores comments and event names, joining multi-line data', () => {
    const buf = createSseDataBuffer()
    expect(buf.push(bytes(': ping\n\nevent: delta\ndata: one\ndata: two\n\n'))).toEqual(['one\ntwo'])
  })
})
