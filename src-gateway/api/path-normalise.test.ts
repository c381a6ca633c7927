import { describe, expect, it } from 'vitest'
import { normalisePath } from './path-normalise.js'

describe('normalisePath', () => {
  it.each([
    ['/v1/v1/chat/completions', '/v1/chat/completions'],
    ['/v1/v1/messages?beta=true', '/v1/messages?beta=true'],
    ['/v1/messages?beta=true', '/v1/messages?beta=true'],
    ['/api/tags', '/api/tags'],
    ['/v1/v1', '/v1/v1'],
  ])('%s → %s', (from, to) => {
    expect(normalisePath(from)).toBe(to)
  })
})
