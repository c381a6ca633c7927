import { describe, expect, it } from 'vitest'
import { FLOW_TTL_MS, PendingFlows } from './pending-flows.js'

const flow = (address = '10.0.0.1') => ({
  state: 's',
  nonce: 'n',
  codeVerifier: 'v',
  redirectUri: 'http://127.0.0.1/auth/oidc/callback',
  issuer: 'https://idp.example.com',
  address,
})

describe('PendingFlows', () => {
  it('gives a flow back once, by a random id', () => {
    const flows = new PendingFlows()
    const id = flows.add(flow())
    expect(id).toMatch(/^[\w-]{43}$/)
    expect(flows.take(id)).toMatchObject({ state: 's', nonce: 'n', codeVerifier: 'v' })
    expect(flows.take(id)).toBeUndefined()
    expect(flows.take('unknown')).toBeUndefined()
  })

  it('expires a flow after ten minutes', () => {
    let now = 1_000_000
    const flows = new PendingFlows(() => now)
    const live = flows.add(flow())
    const late = flows.add(flow())
    now += FLOW_TTL_MS
    expect(flows.take(live)).toBeDefined()
    now += 1
    expect(flows.take(late)).toBeUndefined()
  })

  it('keeps at most 16 flows per address: one address starting flows in a loop drops only its own', () => {
    const flows = new PendingFlows()
    const victim = flows.add(flow('10.0.0.2'))
    const first = flows.add(flow('10.0.0.1'))
    for (let i = 0; i < 100; i++) flows.add(flow('10.0.0.1'))
    expect(flows.size).toBe(17)
    expect(flows.take(first)).toBeUndefined()
    expect(flows.take(victim)).toBeDefined()
  })

  it('keeps at most 1000 flows in all, dropping the oldest', () => {
    const flows = new PendingFlows()
    const oldest = flows.add(flow('10.1.0.0'))
    for (let i = 1; i <= 1000; i++) flows.add(flow(`10.1.${i >> 8}.${i & 255}`))
    expect(flows.size).toBe(1000)
    expect(flows.take(oldest)).toBeUndefined()
  })
})
