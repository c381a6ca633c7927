import { createHash } from 'node:crypto'
import { type BucketClaim, Claim } from './limit-buckets.js'
import { TokenBucket } from './token-bucket.js'

export type { HeaderSink } from './limit-buckets.js'

export const MINUTE = 60_000
/** Idle per-user buckets are dropped past this many, so an endless stream of user ids cannot grow memory. */
const MAX_USER_BUCKETS = 10_000

export interface KeyLimits {
  rpm?: number
  tpm?: number
  perUserRpm?: number
}

/** A bucket's name in the shared state: each part escaped, so no name can pass for another's (`a:b` vs `a`, `b`). */
export const bucketId = (...parts: string[]): string => parts.map(encodeURIComponent).join(':')

/** End-user ids come from callers: a long one is named by its hash, so a bucket's name stays small. */
const MAX_USER_ID_IN_NAME = 128
const userPart = (user: string) =>
  user.length <= MAX_USER_ID_IN_NAME ? user : `#${createHash('sha256').update(user).digest('base64url')}`

/**
 * A bucket of this process made only when first used: with Redis, the local one is only the fallback of
 * `onUnavailable.limits: open`, so most never exist.
 */
export function lazyClaim(
  id: string,
  capacity: number,
  n: number,
  what: string,
  header: BucketClaim['header'],
  make: () => TokenBucket,
): Claim {
  return new Claim(id, capacity, MINUTE, n, what, header, make)
}

/**
 * One key's (or one workspace's) RPM and TPM buckets, and its per-end-user RPM buckets. `scope` names them in
 * the shared state (`key:ci`, `ws:team-a`).
 */
export class KeyLimiter {
  private rpm?: TokenBucket
  private tpm?: TokenBucket
  private users = new Map<string, TokenBucket>()
  /** A request always takes 1: one claim serves every call. */
  private readonly rpmClaim?: Claim
  /** The TPM bucket as a correction names it (the amount is the adjust's). */
  private readonly tpmBase?: Claim

  constructor(
    readonly limits: KeyLimits,
    private readonly now: number,
    private readonly scope: string,
  ) {
    const { rpm, tpm } = limits
    if (rpm) {
      this.rpmClaim = lazyClaim(`${scope}:rpm`, rpm, 1, 'requests per minute', 'requests', () => {
        this.rpm ??= new TokenBucket(rpm, MINUTE, this.now)
        return this.rpm
      })
    }
    if (tpm) {
      this.tpmBase = lazyClaim(`${scope}:tpm`, tpm, 0, 'tokens per minute', 'tokens', () => {
        this.tpm ??= new TokenBucket(tpm, MINUTE, this.now)
        return this.tpm
      })
    }
  }

  get hasTpm(): boolean {
    return this.tpmBase !== undefined
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

  /**
   * The buckets one request with `tokens` estimated prompt tokens takes from: RPM, TPM, and the end user's RPM
   * when the call names one.
   */
  claims(tokens: number, user: string | undefined, now: number): BucketClaim[] {
    const out: BucketClaim[] = []
    if (this.rpmClaim) out.push(this.rpmClaim)
    if (this.tpmBase) out.push(this.tpmBase.taking(tokens))
    const perUser = this.limits.perUserRpm
    if (perUser && user !== undefined) {
      const scope = this.scope
      out.push(
        new Claim(
          // Named only when the shared state asks: this process's own buckets need no name.
          () => bucketId(scope, 'user', userPart(user)),
          perUser,
          MINUTE,
          1,
          `requests per minute for user '${user}'`,
          undefined,
          () => this.userBucket(user, now),
        ),
      )
    }
    return out
  }

  /** The TPM bucket, for the correction once a call's real usage is known (see LimitBackend.adjust). */
  tokensClaim(): BucketClaim | undefined {
    return this.tpmBase
  }
}
