import type { TokenBucket } from './token-bucket.js'

/**
 * One bucket a call takes from: a key's RPM, its TPM, one end user's RPM, a workspace's or a provider's. The
 * `id` names it the same on every instance (the shared state keys it by that); `local` is this process's own
 * bucket, made on first use.
 */
export interface BucketClaim {
  /** `key:ci:rpm`, `ws:team-a:tpm`, `provider:openai:rpm`…: the same on every instance. */
  readonly id: string
  readonly capacity: number
  readonly periodMs: number
  /** What the call takes: 1 request, or its estimated tokens. */
  readonly n: number
  /** What a refusal names: `requests per minute`. */
  readonly what: string
  /** Which `x-ratelimit-*` headers it feeds, if any. */
  readonly header?: 'requests' | 'tokens'
  local(): TokenBucket
}

/** A claim with a fixed shape (one hidden class on the hot path); an end user's bucket is named only when asked. */
export class Claim implements BucketClaim {
  constructor(
    private readonly name: string | (() => string),
    readonly capacity: number,
    readonly periodMs: number,
    readonly n: number,
    readonly what: string,
    readonly header: BucketClaim['header'],
    readonly local: () => TokenBucket,
  ) {}

  get id(): string {
    return typeof this.name === 'string' ? this.name : this.name()
  }

  /** The same bucket, taking `n`. */
  taking(n: number): Claim {
    return new Claim(this.name, this.capacity, this.periodMs, n, this.what, this.header, this.local)
  }
}

/** A bucket's state after the call: what `x-ratelimit-remaining-*` and `-reset-*` say. */
export interface BucketState {
  remaining: number
  resetMs: number
}

/** The answer for all of a call's buckets: the first that refused (nothing was taken then), and every state. */
export interface ClaimOutcome {
  refused?: { claim: BucketClaim; retryAfterMs: number }
  states: BucketState[]
}

/**
 * Where rate-limit buckets live: this process (the default) or the Redis several instances share. Either
 * checks every bucket of a call and takes from all of them only when none refuses, so a call refused by one
 * limit uses up no other.
 */
export interface LimitBackend {
  takeAll(claims: readonly BucketClaim[], now: number): ClaimOutcome | Promise<ClaimOutcome>
  /** Charges (positive) or gives back (negative) tokens once a call's real usage is known. */
  adjust(claim: BucketClaim, delta: number, now: number): void
}

const NO_STATE: BucketState = { remaining: 0, resetMs: 0 }

/** This process's buckets: synchronous, as cheap as the token buckets themselves. */
export const localBuckets: LimitBackend = {
  takeAll(claims, now) {
    let refused: ClaimOutcome['refused']
    for (const c of claims) {
      const wait = c.local().waitMs(c.n, now)
      if (wait > 0) {
        refused = { claim: c, retryAfterMs: wait }
        break
      }
    }
    if (!refused) for (const c of claims) c.local().take(c.n, now)
    // Only the buckets the headers show are read back (an end user's never is).
    const states = claims.map((c) => {
      if (!c.header) return NO_STATE
      const b = c.local()
      return { remaining: b.remaining(now), resetMs: b.resetMs(now) }
    })
    return { refused, states }
  },
  adjust(claim, delta, now) {
    claim.local().adjust(delta, now)
  },
}

/** Where the `x-ratelimit-*` headers go: the answer of whichever transport brought the call. */
export interface HeaderSink {
  header(name: string, value: string): unknown
}

/** The `x-ratelimit-*` headers OpenAI clients read to pace themselves, from the buckets that feed them. */
export function setRateLimitHeaders(reply: HeaderSink, claims: readonly BucketClaim[], states: BucketState[]): void {
  for (let i = 0; i < claims.length; i++) {
    const c = claims[i]
    if (!c.header) continue
    reply.header(`x-ratelimit-limit-${c.header}`, String(c.capacity))
    reply.header(`x-ratelimit-remaining-${c.header}`, String(states[i].remaining))
    reply.header(`x-ratelimit-reset-${c.header}`, `${Math.ceil(states[i].resetMs / 1000)}s`)
  }
}
