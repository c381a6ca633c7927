import { TokenBucket } from './token-bucket.js'

/** Where the rate-limit headers go: the answer of whichever transport brought the call. */
export interface HeaderSink {
  header(name: string, value: string): unknown
}

const MINUTE = 60_000
/** Idle per-user buckets are dropped past this many, so an endless stream of user ids cannot grow memory. */
const MAX_USER_BUCKETS = 10_000

export interface KeyLimits {
  rpm?: number
  tpm?: number
  perUserRpm?: number
}

/** Why a call must wait: what ran out, and for how long. */
export interface Refusal {
  what: string
  retryAfterMs: number
}

/** One key's RPM and TPM buckets, and its per-end-user RPM buckets. */
export class KeyLimiter {
  private rpm?: TokenBucket
  private tpm?: TokenBucket
  private users = new Map<string, TokenBucket>()

  constructor(
    readonly limits: KeyLimits,
    now: number,
  ) {
    if (limits.rpm) this.rpm = new TokenBucket(limits.rpm, MINUTE, now)
    if (limits.tpm) this.tpm = new TokenBucket(limits.tpm, MINUTE, now)
  }

  get hasTpm(): boolean {
    return this.tpm !== undefined
  }

  private userBucket(user: string, now: number): TokenBucket {
    let b = this.users.get(user)
    if (!b) {
      if (this.users.size >= MAX_USER_BUCKETS) {
        for (const [u, old] of this.users) if (old.isFull(now)) this.users.delete(u)
      }
      b = new TokenBucket(this.limits.perUserRpm!, MINUTE, now)
      this.users.set(user, b)
    }
    return b
  }

  private checks(tokens: number, user: string | undefined, now: number): [string, TokenBucket, number][] {
    const checks: [string, TokenBucket, number][] = []
    if (this.rpm) checks.push(['requests per minute', this.rpm, 1])
    if (this.tpm) checks.push(['tokens per minute', this.tpm, tokens])
    if (this.limits.perUserRpm && user !== undefined) {
      checks.push([`requests per minute for user '${user}'`, this.userBucket(user, now), 1])
    }
    return checks
  }

  /**
   * What would refuse one request (and `tokens` estimated prompt tokens) now; takes nothing, so a call refused
   * by one limit (the key's or its workspace's) does not use up another.
   */
  refusal(tokens: number, user: string | undefined, now: number): Refusal | undefined {
    for (const [what, bucket, n] of this.checks(tokens, user, now)) {
      const wait = bucket.waitMs(n, now)
      if (wait > 0) return { what, retryAfterMs: wait }
    }
    return undefined
  }

  /** Takes one request and `tokens` from every bucket that applies; call it only once `refusal` found none. */
  take(tokens: number, user: string | undefined, now: number): void {
    for (const [, bucket, n] of this.checks(tokens, user, now)) bucket.take(n, now)
  }

  /** Replaces the estimate charged at admission with the tokens the call really used. */
  correctTokens(estimated: number, actual: number, now: number): void {
    this.tpm?.adjust(actual - estimated, now)
  }

  /** The `x-ratelimit-*` headers OpenAI clients read to pace themselves. */
  setHeaders(reply: HeaderSink, now: number): void {
    for (const [kind, bucket] of [
      ['requests', this.rpm],
      ['tokens', this.tpm],
    ] as const) {
      if (!bucket) continue
      reply.header(`x-ratelimit-limit-${kind}`, String(bucket.capacity))
      reply.header(`x-ratelimit-remaining-${kind}`, String(bucket.remaining(now)))
      reply.header(`x-ratelimit-reset-${kind}`, `${Math.ceil(bucket.resetMs(now) / 1000)}s`)
    }
  }
}
