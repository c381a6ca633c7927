import { describe, expect, it } from 'vitest'
import { needsAffinity, slotForAddress } from './workers.js'

const head = (line: string, ...headers: string[]) => [line, 'host: 127.0.0.1', ...headers, '', ''].join('\r\n')

describe('needsAffinity: which connections stay with their client', () => {
  it('sends model calls without a web UI session round-robin', () => {
    expect(needsAffinity(head('POST /v1/chat/completions HTTP/1.1', 'authorization: Bearer sk-x'))).toBe(false)
    expect(needsAffinity(head('POST /api/chat HTTP/1.1'))).toBe(false)
    expect(needsAffinity(head('POST /v1/messages HTTP/1.1', 'cookie: theme=dark; other=1'))).toBe(false)
  })

  it('keeps a model call carrying a web UI session (the Playground) with its client, whatever the header case', () => {
    expect(needsAffinity(head('POST /v1/chat/completions HTTP/1.1', 'Cookie: a=1; switchyard_session=abc'))).toBe(true)
    expect(needsAffinity(head('POST /v1/responses HTTP/1.1', 'COOKIE: switchyard_session=abc'))).toBe(true)
    // An emptied cookie (after sign-out) is no session.
    expect(needsAffinity(head('POST /v1/chat/completions HTTP/1.1', 'cookie: switchyard_session=; x=1'))).toBe(false)
  })

  it('keeps the web UI, /admin, /auth, /mcp, /health and anything unreadable with its client', () => {
    for (const path of ['/', '/admin/v1/info', '/auth/login?code=x', '/mcp', '/health', '/v1', '/apiary'])
      expect(needsAffinity(head(`GET ${path} HTTP/1.1`))).toBe(true)
    expect(needsAffinity('')).toBe(true)
    expect(needsAffinity('\u0016\u0003\u0001 binary')).toBe(true)
  })
})

describe('slotForAddress', () => {
  it('gives one address the same slot every time, and spreads addresses over the slots', () => {
    const ready = [0, 1, 2]
    const addresses = Array.from({ length: 300 }, (_, i) => `10.0.${i >> 8}.${i & 255}`)
    for (const a of addresses) expect(slotForAddress(a, ready)).toBe(slotForAddress(a, ready))
    const counts = [0, 0, 0]
    for (const a of addresses) counts[slotForAddress(a, ready)]++
    for (const c of counts) expect(c).toBeGreaterThan(60)
  })

  it('moves only the clients of a slot that is gone', () => {
    const addresses = Array.from({ length: 200 }, (_, i) => `192.168.1.${i}`)
    for (const a of addresses) {
      const before = slotForAddress(a, [0, 1, 2])
      const after = slotForAddress(a, [0, 2])
      if (before !== 1) expect(after).toBe(before)
      else expect([0, 2]).toContain(after)
    }
  })
})
