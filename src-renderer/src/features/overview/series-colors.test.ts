import { describe, expect, it } from 'vitest'
import { OTHER_SERIES } from '../../store/selectors'
import { seriesPalette } from './series-colors'

describe('seriesPalette', () => {
  it('gives the series shown distinct colours, in order, and `other` grey', () => {
    // `mock/mock-gpt-mini` and `qwen` shared a slot of the old 8-slot hash of the name.
    const names = ['mock/mock-gpt', 'mock/mock-gpt-mini', 'llama3.2', 'qwen', 'a', 'b', OTHER_SERIES]
    const color = seriesPalette(names)
    const colors = names.filter((n) => n !== OTHER_SERIES).map(color)
    expect(new Set(colors).size).toBe(colors.length)
    expect(colors[0]).toBe('var(--series-1)')
    expect(colors[1]).toBe('var(--series-2)')
    expect(color(OTHER_SERIES)).toBe('var(--series-other)')
  })
})
