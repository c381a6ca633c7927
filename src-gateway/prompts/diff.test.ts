import { describe, expect, it } from 'vitest'
import { changedParts, diffLines, promptLines } from './diff.js'

describe('prompt diff', () => {
  it('finds the minimal line edit', () => {
    expect(diffLines(['a', 'b', 'c'], ['a', 'x', 'c', 'd'])).toEqual([
      { op: 'equal', text: 'a' },
      { op: 'remove', text: 'b' },
      { op: 'add', text: 'x' },
      { op: 'equal', text: 'c' },
      { op: 'add', text: 'd' },
    ])
    expect(diffLines([], [])).toEqual([])
    expect(diffLines(['a'], [])).toEqual([{ op: 'remove', text: 'a' }])
  })

  it('covers messages, model, params and schema', () => {
    const a = { messages: [{ role: 'user' as const, content: 'Hi {{name}}' }], model: 'm1', params: { temperature: 0 } }
    const b = { messages: [{ role: 'user' as const, content: 'Hello {{name}}' }], model: 'm2', responseSchema: {} }
    const ops = diffLines(promptLines(a), promptLines(b)).filter((l) => l.op !== 'equal')
    expect(ops).toEqual([
      { op: 'remove', text: 'Hi {{name}}' },
      { op: 'add', text: 'Hello {{name}}' },
      { op: 'remove', text: 'model: m1' },
      { op: 'remove', text: 'param temperature: 0' },
      { op: 'add', text: 'model: m2' },
      { op: 'add', text: 'schema: {}' },
    ])
    expect(changedParts(a, b)).toEqual(['messages', 'model', 'params', 'responseSchema'])
    expect(changedParts(a, a)).toEqual([])
  })
})
