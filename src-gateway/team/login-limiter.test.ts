import { describe, expect, it } from 'vitest'
import { addressKey, LoginLimiter, MAX_ENTRIES, MAX_FAILURES } from './login-limiter.js'

// The limiter's bound under a spray: filling its memory with made-up emails and addresses must not push out the
// counter of the account being guessed (which would restart its five tries). In-process: the spray takes tens of
// thousands of failures, which through HTTP would be minutes of Argon2id work.

const VICTIM = 'email:victim@example.com'
const ip = (n: number) => `ip:10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`

describe('LoginLimiter', () => {
  it("keeps an account's counter however many other emails and addresses fail", () => {
    const limiter = new LoginLimiter(Date.now, (email) => email === 'victim@example.com')
    for (let i = 0; i < MAX_FAILURES.email - 1; i++) limiter.fail([ip(i), VICTIM])
    expect(limiter.retryAfter([VICTIM])).toBe(0)
    for (let i = 0; i < 3 * MAX_ENTRIES; i++) limiter.fail([ip(1000 + i), `email:spray${i}@example.com`])
    // The fifth failure still counts from four: locked.
    limiter.fail([ip(99_999), VICTIM])
    expect(limiter.retryAfter([ip(100_000), VICTIM])).toBeGreaterThan(800)
  })

  it('evicts counters that are not locked before those that are', () => {
    let now = 0
    const limiter = new LoginLimiter(() => now)
    const locked = 'ip:192.0.2.1'
    for (let i = 0; i < MAX_FAILURES.ip; i++) limiter.fail([locked])
    now += 1000
    for (let i = 0; i < 2 * MAX_ENTRIES; i++) limiter.fail([`email:spray${i}@example.com`])
    expect(limiter.retryAfter([locked])).toBeGreaterThan(800)
  })
})

describe('addressKey', () => {
  it('counts an IPv6 /64 as one address, so rotating through the prefix gets no more tries', () => {
    const limiter = new LoginLimiter()
    const inPrefix = (n: number) => addressKey(`2001:db8:1:2:${n.toString(16)}:0:0:1`)
    for (let i = 0; i < MAX_FAILURES.ip; i++) limiter.fail([inPrefix(i), `email:spray${i}@example.com`])
    expect(limiter.retryAfter([inPrefix(0xffff)])).toBeGreaterThan(800)
    expect(limiter.retryAfter([addressKey('2001:0db8:0001:0002::abcd')])).toBeGreaterThan(800)
    expect(limiter.retryAfter([addressKey('2001:db8:1:3::1')])).toBe(0)
  })

  it('takes an IPv4-mapped IPv6 address as its IPv4 address, and IPv4 addresses one by one', () => {
    expect(addressKey('::ffff:192.0.2.1')).toBe(addressKey('192.0.2.1'))
    expect(addressKey('::ffff:c000:201')).toBe(addressKey('192.0.2.1'))
    expect(addressKey('192.0.2.1')).not.toBe(addressKey('192.0.2.2'))
    expect(addressKey('fe80::1%eth0')).toBe(addressKey('fe80::2'))
    expect(addressKey('2001:db8::1')).not.toBe(addressKey('192.0.2.1'))
  })
})
