import { describe, expect, it } from 'vitest'
import { customPatternProblem, mergeRedaction, validateRedaction, validateRedactionOverride } from './redaction.js'

describe('validateRedaction', () => {
  it('accepts the documented shape', () => {
    const cfg = {
      mode: 'reversible',
      detect: ['email', 'phone', 'credit_card', 'api_key'],
      custom: [{ name: 'employee_id', pattern: 'EMP-\\d{6}', flags: 'i' }],
      skipFields: ['user'],
    }
    expect(validateRedaction(cfg, '/redaction')).toEqual([])
  })

  it('names each field at fault', () => {
    expect(validateRedaction({ detect: ['email'] }, '/redaction')).toEqual(['/redaction/mode: is required'])
    expect(validateRedaction({ mode: 'hide', extra: 1 }, '/redaction')).toEqual([
      '/redaction/extra: is not a known field',
      '/redaction/mode: must be one of off, mask, reversible',
    ])
    expect(validateRedaction({ mode: 'mask', detect: ['ssn'] }, '/redaction')).toEqual([
      '/redaction/detect/0: must be one of email, phone, credit_card, iban, ip, api_key',
    ])
    expect(validateRedaction({ mode: 'mask', custom: [{ name: 'Bad-Name', pattern: 'x' }] }, '/r')).toHaveLength(1)
    expect(validateRedaction({ mode: 'mask', custom: [{ name: 'x', pattern: 'x', flags: 'g' }] }, '/r')).toHaveLength(1)
  })

  it('refuses patterns that do not compile or match the empty string', () => {
    const custom = [
      { name: 'ok', pattern: 'EMP-\\d+' },
      { name: 'broken', pattern: '(' },
      { name: 'empty', pattern: 'a*' },
    ]
    const problems = validateRedaction({ mode: 'mask', custom }, '/redaction')
    expect(problems).toHaveLength(2)
    expect(problems[0]).toMatch(/^\/redaction\/custom\/1\/pattern: is not a valid regular expression/)
    expect(problems[1]).toBe('/redaction/custom/2/pattern: matches the empty string')
  })

  it('lets an override leave out any field, mode included', () => {
    expect(validateRedactionOverride({ detect: ['email'] }, '/keys/0/redaction')).toEqual([])
    expect(validateRedactionOverride({ custom: [{ name: 'x', pattern: ')' }] }, '/k')[0]).toMatch(
      /^\/k\/custom\/0\/pattern/,
    )
    expect(validateRedactionOverride({ mode: 'mask', foo: 1 }, '/k')).toEqual(['/k/foo: is not a known field'])
  })
})

describe('mergeRedaction', () => {
  const base = { mode: 'reversible' as const, detect: ['email' as const, 'phone' as const], skipFields: ['user'] }

  it('replaces field by field what the override sets', () => {
    expect(mergeRedaction(base, { mode: 'mask' })).toEqual({ ...base, mode: 'mask' })
    expect(mergeRedaction(base, { detect: ['api_key'] })).toEqual({ ...base, detect: ['api_key'] })
    expect(mergeRedaction(base, { mode: 'off' })?.mode).toBe('off')
    expect(mergeRedaction(base, {})).toEqual(base)
  })

  it('keeps the base without an override and defaults to off without a base', () => {
    expect(mergeRedaction(base, undefined)).toBe(base)
    expect(mergeRedaction(undefined, undefined)).toBeUndefined()
    expect(mergeRedaction(undefined, { detect: ['email'] })).toEqual({ mode: 'off', detect: ['email'] })
    expect(mergeRedaction(undefined, { mode: 'mask' })).toEqual({ mode: 'mask' })
  })
})

describe('customPatternProblem', () => {
  it('explains custom patterns that cannot be used', () => {
    expect(customPatternProblem({ pattern: '(' })).toMatch(/not a valid regular expression/)
    expect(customPatternProblem({ pattern: 'x?' })).toBe('matches the empty string')
    expect(customPatternProblem({ pattern: 'x+' })).toBeUndefined()
  })
})
