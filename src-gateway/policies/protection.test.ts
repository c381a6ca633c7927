import { describe, expect, it } from 'vitest'
import type { GatewayConfig } from '../config/schema.js'
import { Protection } from './protection.js'

const base: GatewayConfig = {
  redaction: { mode: 'mask' },
  cache: { mode: 'exact', ttlSeconds: 60 },
  routes: {
    open: { targets: [{ model: 'p/m' }], redaction: { mode: 'off' }, cache: { ttlSeconds: 5 } },
    strict: {
      targets: [{ model: 'p/m' }],
      guardrails: { input: [{ type: 'blocked_patterns', patterns: ['x'] }] },
    },
  },
  keys: [{ name: 'k', key: 'secret', redaction: { mode: 'reversible' }, cache: { mode: 'off' } }],
}

describe('Protection', () => {
  it('lays route then key overrides over the gateway sections', () => {
    const p = new Protection(base)
    expect(p.forCall(undefined, undefined).redactor?.mode).toBe('mask')
    expect(p.forCall(undefined, undefined).cache).toEqual({ mode: 'exact', ttlSeconds: 60 })
    expect(p.forCall('open', undefined).redactor).toBeUndefined()
    expect(p.forCall('open', undefined).cache?.ttlSeconds).toBe(5)
    expect(p.forCall('open', 'k').redactor?.mode).toBe('reversible')
    expect(p.forCall('open', 'k').cache).toBeUndefined()
    expect(p.forCall('strict', undefined).guardrails?.hasInput).toBe(true)
    expect(p.forCall('open', undefined).guardrails).toBeUndefined()
  })

  it('compiles once per route and key, and again after a config change', () => {
    const p = new Protection(base)
    expect(p.forCall('strict', 'k')).toBe(p.forCall('strict', 'k'))
    const before = p.forCall('strict', 'k')
    p.apply({ ...base, redaction: undefined })
    expect(p.forCall('strict', 'k')).not.toBe(before)
    expect(p.forCall('strict', undefined).redactor).toBeUndefined()
  })

  it('costs nothing without any section', () => {
    const p = new Protection({ routes: { r: { targets: [{ model: 'p/m' }] } } })
    expect(p.forCall('r', 'k')).toEqual({})
  })
})
