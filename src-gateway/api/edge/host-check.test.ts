import { describe, expect, it } from 'vitest'
import { hostnameOf, isAllowedHost, isTrustedOrigin } from './host-check.js'

const none = new Set<string>()

describe('Host check', () => {
  it('reads the name out of a Host header', () => {
    expect(hostnameOf('LocalHost:4141')).toBe('localhost')
    expect(hostnameOf('[::1]:4141')).toBe('[::1]')
    expect(hostnameOf('127.0.0.1')).toBe('127.0.0.1')
  })

  it('admits loopback names and addresses only, unless allowed', () => {
    for (const h of ['localhost', 'localhost:1', 'a.b.localhost:4141', '127.0.0.1:4141', '127.255.0.9', '[::1]:80']) {
      expect(isAllowedHost(h, none), h).toBe(true)
    }
    for (const h of [
      undefined,
      '',
      'evil.example',
      'localhost.evil.example',
      '127.0.0.1.nip.io',
      '0.0.0.0:4141',
      '[::]',
    ]) {
      expect(isAllowedHost(h, none), String(h)).toBe(false)
    }
    const allowed = new Set(['gw.example.com', 'lan:8080'])
    expect(isAllowedHost('GW.example.com:443', allowed)).toBe(true)
    expect(isAllowedHost('lan:8080', allowed)).toBe(true)
    expect(isAllowedHost('lan:9090', allowed)).toBe(false)
  })

  it('trusts local pages, app shells and pages of allowed hosts as origins', () => {
    expect(isTrustedOrigin('http://localhost:5173', none)).toBe(true)
    expect(isTrustedOrigin('app://switchyard', none)).toBe(true)
    expect(isTrustedOrigin('null', none)).toBe(false)
    expect(isTrustedOrigin('https://evil.example', none)).toBe(false)
    expect(isTrustedOrigin('https://gw.example.com', new Set(['gw.example.com']))).toBe(true)
  })
})
