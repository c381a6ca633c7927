import type { ProviderConfig } from '../config/schema.js'
import { GatewayError } from '../core/errors.js'
import type { LogEvent } from '../core/log-event.js'
import { TokenBucket } from './token-bucket.js'

const MINUTE = 60_000

type Limits = NonNullable<ProviderConfig['limits']>

/** One provider's RPM and TPM buckets. */
class ProviderBuckets {
  readonly rpm?: TokenBucket
  readonly tpm?: TokenBucket
  constructor(
    readonly limits: Limits,
    now: number,
  ) {
    if (limits.rpm) this.rpm = new TokenBucket(limits.rpm, MINUTE, now)
    if (limits.tpm) this.tpm = new TokenBucket(limits.tpm, MINUTE, now)
  }
}

/** What one attempt took from a provider's buckets. */
interface Charge {
  providerId: string
  buckets: ProviderBuckets
  tokens: number
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
        prev && JSON.stringify(prev.limits) === JSON.stringify(p.limits) ? prev : new ProviderBuckets(p.limits, now),
      )
    }
    this.byId = next
  }

  /**
   * Takes one request and `tokens()` from the provider's buckets for an attempt of `event`'s call, or
   * answers with the 429 saying when the provider has room again (and takes nothing).
   */
  take(event: LogEvent, providerId: string, tokens: () => number, now: number): GatewayError | undefined {
    const b = this.byId.get(providerId)
    if (!b) return undefined
    const n = b.tpm ? tokens() : 0
    const checks: [string, TokenBucket, number][] = []
    if (b.rpm) checks.push(['requests per minute', b.rpm, 1])
    if (b.tpm) checks.push(['tokens per minute', b.tpm, n])
    for (const [what, bucket, need] of checks) {
      const wait = bucket.waitMs(need, now)
      if (wait > 0) {
        const s = secondsUntil(wait)
        return new GatewayError(
          'rate_limited',
          `provider '${providerId}' is at its ${what} limit (${bucket.capacity}); room again in ${s}s`,
          { code: 'provider_rate_limited', provider: providerId, retryAfter: String(s) },
        )
      }
    }
    for (const [, bucket, need] of checks) bucket.take(need, now)
    const list = this.charges.get(event)
    const charge = { providerId, buckets: b, tokens: n }
    if (list) list.push(charge)
    else this.charges.set(event, [charge])
    return undefined
  }

  /** Replaces each attempt's estimate with what it used, once the call has ended. */
  settle(e: LogEvent, now: number): void {
    const list = this.charges.get(e)
    if (!list) return
    this.charges.delete(e)
    const reported = e.inputTokens !== undefined || e.outputTokens !== undefined
    for (const [i, c] of list.entries()) {
      if (!c.buckets.tpm) continue
      const served = i === list.length - 1 && c.providerId === e.provider
      // An attempt that failed cost the upstream nothing; one that served without usage keeps its estimate.
      const actual = !served
        ? 0
        : reported
          ? (e.inputTokens ?? 0) + (e.outputTokens ?? 0)
          : e.status < 400
            ? c.tokens
            : 0
      c.buckets.tpm.adjust(actual - c.tokens, now)
    }
  }
}
