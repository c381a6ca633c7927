import { describe, expect, it } from 'vitest'
import { maskSecret } from './mask.js'

describe('maskSecret', () => {
  it('keeps a recognisable prefix and the last four characters', () => {
    expect(maskSecret('sk-proj-0123456789abcd')).toBe('sk-…abcd')
    expect(maskSecret('AIzaSyD-0123456789wxyz')).toBe('AIz…wxyz')
  })

  it('shows nothing of a short value', () => {
    expect(maskSecret('short-key1')).toBe('…')
  })
})
