export interface RetryPolicy {
  /** Extra tries on the same target after a retryable failure. */
  attempts: number
  /** First backoff; doubles each retry, with jitter, up to `maxBackoffMs`. */
  backoffMs: number
  maxBackoffMs: number
  /** Longest upstream Retry-After the gateway will wait for; longer ones move on to the next target. */
  maxRetryAfterMs: number
  /** Retries allowed per request (on average) across the route: the retry budget. */
  budgetRatio: number
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 1,
  backoffMs: 200,
  maxBackoffMs: 4_000,
  maxRetryAfterMs: 10_000,
  budgetRatio: 0.2,
}

/** Exponential backoff with "equal jitter": half fixed, half random, so synchronized clients spread out. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const exp = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** retry)
  return exp / 2 + (exp / 2) * random()
}

/** Parses Retry-After (seconds, or an HTTP date) into milliseconds. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/**
 * A route's retry budget: every request earns `ratio` of a retry, every retry spends one, and the
 * balance is capped. Under an outage retries stop at ~ratio × traffic instead of multiplying load.
 */
export class RetryBudget {
  private balance: number

  constructor(
    private ratio: number,
    private cap = 10,
  ) {
    this.balance = cap
  }

  /** Called once per request. */
  earn(): void {
    this.balance = Math.min(this.cap, this.balance + this.ratio)
  }

  /** Spends one retry if the budget has it. */
  spend(): boolean {
    if (this.balance < 1) return false
    this.balance -= 1
    return true
  }
}
