import { describe, expect, it } from 'vitest'
import { runLabel } from './run-label'

describe('runLabel', () => {
  const runs = [
    { id: 1, kind: 'side-by-side' as const },
    { id: 2, kind: 'matrix' as const },
    { id: 3, kind: 'side-by-side' as const },
    { id: 4, kind: 'replay' as const },
    { id: 5, kind: 'matrix' as const },
  ]
  it('numbers runs within their kind, whatever the shared ids', () => {
    expect(runLabel({ id: 2, kind: 'matrix' }, runs)).toBe('Matrix run 1')
    expect(runLabel({ id: 5, kind: 'matrix' }, runs)).toBe('Matrix run 2')
    expect(runLabel({ id: 4, kind: 'replay' }, runs)).toBe('Replay run 1')
  })
  it('a run not listed yet is the next of its kind', () => {
    expect(runLabel({ id: 9, kind: 'matrix' }, runs)).toBe('Matrix run 3')
    expect(runLabel({ id: 2, kind: 'matrix' }, [])).toBe('Matrix run 1')
  })
})
