import { isIPv4, isIPv6 } from 'node:net'

/**
 * Failed sign-ins allowed within the window before 429s until it ends: per email (one account's password), and per
 * client address, higher because a whole office may share one address.
 */
export const MAX_FAILURES = { email: 5, ip: 20 } as const
export const WINDOW_MS = 15 * 60 * 1000
/** Bounds memory against a spray of addresses or emails nobody has an account for. */
export const MAX_ENTRIES = 10_000

/**
 * The limiter's key for a client address. An IPv6 host usually holds a whole /64 (SLAAC, privacy addresses) and can
 * take a new address from it for every try, so the /64 is counted as one address; an IPv4-mapped IPv6 address
 * (`::ffff:192.0.2.1`, as a dual-stack listener reports IPv4 clients) is its IPv4 address.
 */
export function addressKey(address: string): string {
  const ip = address.split('%')[0] as string
  if (isIPv4(ip)) return `ip:${ip}`
  if (!isIPv6(ip)) return `ip:${address.slice(0, 64)}`
  const w = ipv6Words(ip)
  if (w.slice(0, 5).every((x) => x === 0) && w[5] === 0xffff) {
    const [hi, lo] = [w[6] as number, w[7] as number]
    return `ip:${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
  }
  return `ip:${w
    .slice(0, 4)
    .map((x) => x.toString(16))
    .join(':')}::/64`
}

/** The eight 16-bit groups of an address isIPv6 accepted (`::` expanded, a dotted IPv4 tail as two groups). */
function ipv6Words(ip: string): number[] {
  const groups = (part: string) =>
    part === ''
      ? []
      : part.split(':').flatMap((g) => {
          if (!g.includes('.')) return [Number.parseInt(g, 16)]
          const [a, b, c, d] = g.split('.').map(Number) as [number, number, number, number]
          return [(a << 8) | b, (c << 8) | d]
        })
  const gap = ip.indexOf('::')
  if (gap < 0) return groups(ip)
  const head = groups(ip.slice(0, gap))
  const tail = groups(ip.slice(gap + 2))
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail]
}

interface Counter {
  failures: number
  /** When the window that started at the first failure ends. */
  until: number
}

export const limitOf = (key: string): number => MAX_FAILURES[key.startsWith('ip:') ? 'ip' : 'email']

/**
 * Counts failed sign-ins per client address (`ip:…`, see addressKey) and per email (`email:…`), so neither one address guessing
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
