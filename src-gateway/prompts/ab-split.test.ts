import { describe, expect, it } from 'vitest'
import { armName, pickArm, stickyPoint } from './ab-split.js'

describe('A/B split', () => {
  const split = [
    { version: 1, weight: 1 },
    { version: 2, weight: 3 },
  ]

  it('covers [0, 1) by weight, skipping zero-weight arms', () => {
    expect(pickArm(split, 0).version).toBe(1)
    expect(pickArm(split, 0.249).version).toBe(1)
    expect(pickArm(split, 0.25).version).toBe(2)
    expect(pickArm(split, 0.999999).version).toBe(2)
    expect(pickArm([{ version: 1, weight: 0 }, ...split.slice(1)], 0).version).toBe(2)
  })

  it('keeps a caller on one arm and spreads many callers close to the weights', () => {
    expect(stickyPoint('alice', 'greet', 'production')).toBe(stickyPoint('alice', 'greet', 'production'))
    expect(stickyPoint('alice', 'greet', 'production')).not.toBe(stickyPoint('alice', 'greet', 'staging'))
    let v2 = 0
    for (let i = 0; i < 4000; i++)
      if (pickArm(split, stickyPoint(`user-${i}`, 'greet', 'production')).version === 2) v2++
    expect(v2 / 4000).toBeGreaterThan(0.72)
    expect(v2 / 4000).toBeLessThan(0.78)
  })

  it('names arms by label and version', () => {
    expect(armName('production', 2)).toBe('production:v2')
  })
})
