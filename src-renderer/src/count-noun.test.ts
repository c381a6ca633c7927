import { describe, expect, it } from 'vitest'
import { countNoun } from './count-noun'

describe('countNoun', () => {
  it('agrees with the number', () => {
    expect(countNoun(1, 'model')).toBe('1 model')
    expect(countNoun(0, 'model')).toBe('0 models')
    expect(countNoun(1200, 'row')).toBe('1,200 rows')
    expect(countNoun(2, 'entry', 'entries')).toBe('2 entries')
  })
})
