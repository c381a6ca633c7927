import type { ProviderConfig } from '../config/schema.js'
import { GatewayError } from '../core/errors.js'
import type { LogEvent } from '../core/log-event.js'
import type { BucketClaim, ClaimOutcome, LimitBackend } from './limit-buckets.js'
import { bucketId, lazyClaim } from './limiter.js'
import { TokenBucket } from './token-bucket.js'

const MINUTE = 60_000

type Limits = NonNullable<ProviderConfig['limits']>

/** One provider's RPM and TPM buckets (this process's, made on first use). */
class ProviderBuckets {
  private rpm?: TokenBucket
  private tpm?: TokenBucket
  constructor(
    readonly id: string,
    readonly limits: Limits,
    private readonly now: number,
  ) {}

  /** The buckets an attempt takes from, and among them the TPM one (corrected when the call ends). */
  claims(tokens: () => number): { all: BucketClaim[]; tpm?: BucketClaim } {
    const { rpm, tpm } = this.limits
    const out: BucketClaim[] = []
    if (rpm) {
      out.push(
        lazyClaim(bucketId('provider', this.id, 'rpm'), rpm, 1, 'requests per minute', undefined, () => {
          this.rpm ??= new TokenBucket(rpm, MINUTE, this.now)
          return this.rpm
        }),
      )
    }
    if (tpm) {
      out.push(
        lazyClaim(bucketId('provider', this.id, 'tpm'), tpm, tokens(), 'tokens per minute', undefined, () => {
          this.tpm ??= new TokenBucket(tpm, MINUTE, this.now)
          return this.tpm
        }),
      )
    }
    return { all: out, tpm: tpm ? out.at(-1) : undefined }
  }
}

/** What one attempt took from a provider's buckets: its TPM claim, corrected when the call ends. */
interface Charge {
  providerId: string
  tokens?: BucketClaim
}

const secondsUntil = (ms: number) => Math.max(1, Math.ceil(ms / 1000))

/**
 * Each provider's own rate limits (`providers.X.limits`), kept by the gateway so that a target whose
 * upstream would answer 429 is skipped, like one with an open circuit, instead of being called.
 *
 * Every attempt takes one request and the call's estimated prompt tokens. The charges are remembered per
 * call (keyed by its log event, so nothing outlives the call) and corrected when it ends: attempts that
 * failed give their tokens back, the attempt that served is charged the tokens it really used.
 */
export class ProviderLimits {
  private byId = new Map<string, ProviderBuckets>()
  private charges = new WeakMap<LogEvent, Charge[]>()

  /** Keeps the bucket state of providers whose limits did not change. */
  apply(providers: Record<string, ProviderConfig>, now: number): void {
    const next = new Map<string, ProviderBuckets>()
    for (const [id, p] of Object.entries(providers)) {
      if (!p.limits?.rpm && !p.limits?.tpm) continue
      const prev = this.byId.get(id)
      next.set(
        id,
        prev && JSON.stringify(prev.limits) === JSON.stringify(p.limits)
          ? prev
          : new ProviderBuckets(id, p.limits, now),
      )
    }
    this.byId = next
  }

  /**
   * Takes one request and `tokens()` from the provider's buckets for an attempt of `event`'s call, or
   * answers with the 429 saying when the provider has room again (and takes nothing). A Promise only when
   * the buckets are shared through Redis.
   */
  take(
    backend: LimitBackend,
    event: LogEvent,
    providerId: string,
    tokens: () => number,
    now: number,
  ): GatewayError | undefined | Promise<GatewayError | undefined> {
    const b = this.byId.get(providerId)
    if (!b) return undefined
    const { all, tpm } = b.claims(tokens)
    const outcome = backend.takeAll(all, now)
    return outcome instanceof Promise
      ? outcome.then((o) => this.taken(o, tpm, event, providerId))
      : this.taken(outcome, tpm, event, providerId)
  }

  private taken(
    outcome: ClaimOutcome,
    tokens: BucketClaim | undefined,
    event: LogEvent,
    providerId: string,
  ): GatewayError | undefined {
    const { refused } = outcome
    if (refused) {
      const s = secondsUntil(refused.retryAfterMs)
      return new GatewayError(
        'rate_limited',
        `provider '${providerId}' is at its ${refused.claim.what} limit (${refused.claim.capacity}); room again in ${s}s`,
        { code: 'provider_rate_limited', provider: providerId, retryAfter: String(s) },
      )
    }
    const charge = { providerId, tokens }
    const list = this.charges.get(event)
    if (list) list.push(charge)
    else this.charges.set(event, [charge])
    return undefined
  }

  /** Replaces each attempt's estimate with what it used, once the call has ended. */
  settle(backend: LimitBackend, e: LogEvent, now: number): void {
    const list = this.charges.get(e)
    if (!list) return
    this.charges.delete(e)
    const reported = e.inputTokens !== undefined || e.outputTokens !== undefined
    for (const [i, c] of list.entries()) {
      if (!c.tokens) continue
      const served = i === list.length - 1 && c.providerId === e.provider
      // An attempt that failed cost the upstream nothing; one that served without usage keeps its estimate.
      const estimate = c.tokens.n
      const actual = !served
        ? 0
        : reported
          ? (e.inputTokens ?? 0) + (e.outputTokens ?? 0)
          : e.status < 400
            ? estimate
            : 0
      backend.adjust(c.tokens, actual - estimate, now)
    }
  }
}
