/**
 * Failed sign-ins allowed within the window before 429s until it ends: per email (one account's password), and per
 * client address, higher because a whole office may share one address.
 */
export const MAX_FAILURES = { email: 5, ip: 20 } as const
export const WINDOW_MS = 15 * 60 * 1000
/** Bounds memory against a spray of addresses or emails: past it the oldest counters go first. */
const MAX_ENTRIES = 10_000

interface Counter {
  failures: number
  /** When the window that started at the first failure ends. */
  until: number
}

/**
 * Counts failed sign-ins per client address (`ip:…`) and per email (`email:…`), so neither one address guessing
 * many accounts' passwords nor many addresses guessing one account's get more than MAX_FAILURES tries per window. In memory: a restart resets
 * it, which costs an attacker a restart they cannot cause.
 */
export class LoginLimiter {
  private readonly counters = new Map<string, Counter>()

  constructor(private readonly clock: () => number = Date.now) {}

  /** Seconds until `keys` may try again, or 0 when none of them is locked out. */
  retryAfter(keys: string[]): number {
    const now = this.clock()
    let wait = 0
    for (const key of keys) {
      const c = this.counters.get(key)
      if (!c) continue
      if (c.until <= now) {
        this.counters.delete(key)
        continue
      }
      if (c.failures >= MAX_FAILURES[key.startsWith('ip:') ? 'ip' : 'email'])
        wait = Math.max(wait, Math.ceil((c.until - now) / 1000))
    }
    return wait
  }

  fail(keys: string[]): void {
    const now = this.clock()
    for (const key of keys) {
      const c = this.counters.get(key)
      if (c && c.until > now) {
        c.failures++
        continue
      }
      this.counters.delete(key)
      this.counters.set(key, { failures: 1, until: now + WINDOW_MS })
      if (this.counters.size > MAX_ENTRIES) this.counters.delete(this.counters.keys().next().value as string)
    }
  }

  /** A successful sign-in clears the account's counter; the address's stays, so it cannot reset its own tries. */
  succeed(key: string): void {
    this.counters.delete(key)
  }
}
