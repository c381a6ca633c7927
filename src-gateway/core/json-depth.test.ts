import { describe, expect, it } from 'vitest'
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.js'

const nested = (levels: number, inner: unknown = 1): unknown => {
  let v = inner
  for (let i = 0; i < levels; i++) v = i % 2 ? { a: v } : [v]
  return v
}

describe('nestsDeeperThan', () => {
  it('allows exactly the cap and refuses one level more, objects and arrays alike', () => {
    expect(nestsDeeperThan(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false)
    expect(nestsDeeperThan(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true)
    expect(nestsDeeperThan({ messages: [{ content: nested(MAX_JSON_DEPTH - 2) }] }, MAX_JSON_DEPTH)).toBe(true)
  })

  it('handles a value far deeper than the stack would allow a full walk of', () => {
    const deep = JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`)
    expect(nestsDeeperThan(deep, MAX_JSON_DEPTH)).toBe(true)
  })

  it('treats primitives, null and flat bodies as shallow', () => {
    for (const v of [null, 1, 'x', true, [], {}, { input: Array(100_000).fill(0.5) }]) {
      expect(nestsDeeperThan(v, MAX_JSON_DEPTH)).toBe(false)
    }
  })
})
