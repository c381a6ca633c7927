/**
 * Failed sign-ins allowed within the window before 429s until it ends: per email (one account's password), and per
 * client address, higher because a whole office may share one address.
 */
export const MAX_FAILURES = { email: 5, ip: 20 } as const
export const WINDOW_MS = 15 * 60 * 1000
/** Bounds memory against a spray of addresses or emails nobody has an account for. */
export const MAX_ENTRIES = 10_000

interface Counter {
  failures: number
  /** When the window that started at the first failure ends. */
  until: number
}

const limitOf = (key: string) => MAX_FAILURES[key.startsWith('ip:') ? 'ip' : 'email']

/**
 * Counts failed sign-ins per client address (`ip:…`) and per email (`email:…`), so neither one address guessing
 * many accounts' passwords nor many addresses guessing one account's get more than MAX_FAILURES tries per window.
 * In memory: a restart resets it, which costs an attacker a restart they cannot cause.
 *
 * The counters of emails that are accounts' are kept apart and never evicted: there are only as many as the team
 * has members, and they are what guessing aims at. Were they in the bounded map, spraying it with made-up emails
 * or addresses would push a victim's counter out and restart its five tries. The bounded map (other emails and
 * addresses) drops expired counters first, then the oldest not locked out, and a locked one only when every
 * counter in it is locked.
 */
export class LoginLimiter {
  private readonly accounts = new Map<string, Counter>()
  private readonly others = new Map<string, Counter>()

  constructor(
    private readonly clock: () => number = Date.now,
    /** Whether an email (lowercased) is an account's. */
    private readonly isAccount: (email: string) => boolean = () => false,
  ) {}

  /** Seconds until `keys` may try again, or 0 when none of them is locked out. */
  retryAfter(keys: string[]): number {
    const now = this.clock()
    let wait = 0
    for (const key of keys) {
      const map = this.accounts.has(key) ? this.accounts : this.others
      const c = map.get(key)
      if (!c) continue
      if (c.until <= now) {
        map.delete(key)
        continue
      }
      if (c.failures >= limitOf(key)) wait = Math.max(wait, Math.ceil((c.until - now) / 1000))
    }
    return wait
  }

  fail(keys: string[]): void {
    const now = this.clock()
    for (const key of keys) {
      const c = this.accounts.get(key) ?? this.others.get(key)
      if (c && c.until > now) {
        c.failures++
        continue
      }
      this.accounts.delete(key)
      this.others.delete(key)
      const counter = { failures: 1, until: now + WINDOW_MS }
      if (key.startsWith('email:') && this.isAccount(key.slice('email:'.length))) {
        sweep(this.accounts, now)
        this.accounts.set(key, counter)
      } else {
        this.others.set(key, counter)
        if (this.others.size > MAX_ENTRIES) this.evictOne(now)
      }
    }
  }

  /** A successful sign-in clears the account's counter; the address's stays, so it cannot reset its own tries. */
  succeed(key: string): void {
    this.accounts.delete(key)
    this.others.delete(key)
  }

  private evictOne(now: number): void {
    sweep(this.others, now)
    if (this.others.size <= MAX_ENTRIES) return
    for (const [key, c] of this.others) {
      if (c.failures < limitOf(key)) {
        this.others.delete(key)
        return
      }
    }
    this.others.delete(this.others.keys().next().value as string)
  }
}

/** Drops ended counters; they were set in time order, so those are at the front. */
function sweep(map: Map<string, Counter>, now: number): void {
  for (const [key, c] of map) {
    if (c.until > now) return
    map.delete(key)
  }
}
