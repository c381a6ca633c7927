import { describe, expect, it } from 'vitest'
import { newPasswordProblem, passwordStrength } from './password-strength'

describe('password strength hint', () => {
  it('grades by length first, then by the kinds of character', () => {
    expect(passwordStrength('short1!')).toBe('too-short')
    expect(passwordStrength('aaaaaaaaaaaaaaaa')).toBe('weak')
    expect(passwordStrength('abcdefghij')).toBe('weak')
    expect(passwordStrength('abcdefGH1j')).toBe('fair')
    expect(passwordStrength('correct horse battery')).toBe('strong')
    expect(passwordStrength('Tr0ub4dor&3xyzab')).toBe('strong')
  })

  it('refuses a short, huge or mistyped password before it is sent', () => {
    expect(newPasswordProblem('short', 'short')).toMatch(/at least 10/)
    expect(newPasswordProblem('x'.repeat(1025), 'x'.repeat(1025))).toMatch(/at most 1024/)
    expect(newPasswordProblem('long enough pass', 'long enough pas')).toMatch(/differ/)
    expect(newPasswordProblem('long enough pass', 'long enough pass')).toBeNull()
  })
})
