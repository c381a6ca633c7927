import { describe, expect, it } from 'vitest'
import type { ChatChunk } from '../../core/chat-types.js'
import { createFrameShapes } from './frame-shape.js'

const frame = (text: string, delta = '') =>
  `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","system_fingerprint":"fp","choices":[{"index":0,"delta":{${delta}"content":${JSON.stringify(text)}},"logprobs":null,"finish_reason":null}]}`

/** Remembers `first` as a parsed frame, then reads `next` through the shape. */
function readAfter(first: string, next: string) {
  const shapes = createFrameShapes()
  shapes.remember(first, JSON.parse(first) as ChatChunk)
  return shapes.reuse(next)
}

describe('frame shapes', () => {
  it('gives exactly what parsing gives, for any text', () => {
    const texts = [
      'Hel',
      '',
      'say "hi"',
      'back\\slash',
      'line\nbreak\ttab',
      'é ü 中文 🎉',
      '\u2028',
      '\\"',
      '{"content":"x"}',
    ]
    for (const text of texts) {
      const next = frame(text)
      expect(readAfter(frame('first'), next)).toEqual(JSON.parse(next))
    }
    // The first frame of a stream often carries the role too; the next ones keep their own shape.
    expect(readAfter(frame('', '"role":"assistant",'), frame('x', '"role":"assistant",'))).toEqual(
      JSON.parse(frame('x', '"role":"assistant",')),
    )
  })

  it('parses frames that differ anywhere else', () => {
    expect(readAfter(frame('a'), frame('b').replace('"created":1', '"created":2'))).toBeUndefined()
    expect(readAfter(frame('a'), frame('b').replace('"finish_reason":null', '"finish_reason":"stop"'))).toBeUndefined()
    expect(readAfter(frame('a', '"role":"assistant",'), frame('b'))).toBeUndefined()
  })

  it('never reads past the string: a frame that only looks like the shape is parsed', () => {
    // The text would end early and a second key follow it.
    const sneaky = frame('a').replace('"content":"a"', '"content":"a","refusal":"b"')
    expect(readAfter(frame('a'), sneaky)).toBeUndefined()
    // A raw control character is not JSON, so the frame goes to JSON.parse, which rejects it.
    expect(readAfter(frame('a'), frame('a').replace('"content":"a"', '"content":"a\u0001"'))).toBeUndefined()
  })

  it('only remembers frames where the text can be nothing but delta.content', () => {
    const cases = [
      // Another "content" key elsewhere.
      '{"id":"x","content":"t","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]}',
      // The delta's key spelled with an escape, so the only literal "content" is another field's.
      '{"id":"x","content":"t","choices":[{"index":0,"delta":{"\\u0063ontent":"a"},"finish_reason":null}]}',
      // Space after the key.
      '{"id":"x","choices":[{"index":0,"delta":{"content": "a"},"finish_reason":null}]}',
      // Nested objects would be shared between chunks.
      '{"id":"x","choices":[{"index":0,"delta":{"content":"a"},"logprobs":{"content":[]},"finish_reason":null}]}',
      // Two choices, a finish reason, tool calls.
      '{"id":"x","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null},{"index":1,"delta":{"content":"b"},"finish_reason":null}]}',
      '{"id":"x","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"stop"}]}',
      '{"id":"x","choices":[{"index":0,"delta":{"content":"a","tool_calls":[]},"finish_reason":null}]}',
    ]
    for (const data of cases) {
      const shapes = createFrameShapes()
      shapes.remember(data, JSON.parse(data) as ChatChunk)
      expect(shapes.reuse(data)).toBeUndefined()
    }
  })

  it('hands out chunks that do not share state', () => {
    const shapes = createFrameShapes()
    const first = JSON.parse(frame('a')) as ChatChunk
    shapes.remember(frame('a'), first)
    first.choices[0].delta.content = 'changed by an encoder'
    const b = shapes.reuse(frame('b'))!
    b.choices[0].delta.content = 'changed too'
    b.model = 'other'
    expect(shapes.reuse(frame('c'))).toEqual(JSON.parse(frame('c')))
  })
})
