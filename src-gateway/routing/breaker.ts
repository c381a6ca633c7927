export type CircuitState = 'closed' | 'open' | 'half-open'

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number
  /** Error rate over the window that opens the circuit, once `minRequests` calls were seen in it. */
  errorRate: number
  minRequests: number
  windowMs: number
  /** How long an open circuit rejects calls before one probe is let through. */
  cooldownMs: number
  /**
   * The longest a streamed probe waits for its first byte, whatever the target's own timeout: a target
   * that just failed should not hold its probe's caller for minutes before the next target is tried.
   */
  probeFirstByteMs: number
}

export const DEFAULT_BREAKER: BreakerOptions = {
  failureThreshold: 5,
  errorRate: 0.5,
  minRequests: 20,
  windowMs: 30_000,
  cooldownMs: 30_000,
  probeFirstByteMs: 10_000,
}

const BUCKETS = 10

/**
 * A circuit breaker for one target. Closed: calls flow, failures are counted (consecutive, and as a
 * rate over a sliding window of BUCKETS buckets). Open: calls are refused until the cool-down ends.
 * Half-open: exactly one probe goes through; its outcome closes or re-opens the circuit.
 */
export class CircuitBreaker {
  state: CircuitState = 'closed'
  private consecutive = 0
  private openedAt = 0
  /** In half-open: whether the probe has been let through. */
  private probeOut = false
  private calls = new Array<number>(BUCKETS).fill(0)
  private failures = new Array<number>(BUCKETS).fill(0)
  private bucketAt = new Array<number>(BUCKETS).fill(0)
  /** Times the circuit opened, for /metrics. */
  opens = 0

  constructor(private opts: BreakerOptions = DEFAULT_BREAKER) {}

  /** Whether a call may go to this target now. A `true` in half-open reserves the single probe. */
  allow(now: number): boolean {
    if (this.state === 'closed') return true
    if (this.state === 'open') {
      if (now - this.openedAt < this.opts.cooldownMs) return false
      this.state = 'half-open'
      this.probeOut = false
    }
    if (this.probeOut) return false
    this.probeOut = true
    return true
  }

  /** The first-byte wait for the probe (see BreakerOptions.probeFirstByteMs). */
  probeFirstByteMs(targetMs: number): number {
    return Math.min(targetMs, this.opts.probeFirstByteMs)
  }

  /**
   * The probe ended without a verdict on the upstream (its caller left, or the gateway failed on its own):
   * the circuit stays half-open and the next call probes instead.
   */
  release(): void {
    if (this.state === 'half-open') this.probeOut = false
  }

  success(now: number): void {
    this.record(now, false)
    this.consecutive = 0
    if (this.state !== 'closed') {
      this.state = 'closed'
      this.probeOut = false
      this.resetWindow()
    }
  }

  failure(now: number): void {
    this.record(now, true)
    this.consecutive++
    if (this.state === 'half-open') this.open(now)
    else if (this.state === 'closed' && this.tripped(now)) this.open(now)
  }

  /** Closed-circuit rule: too many consecutive failures, or too high an error rate over the window. */
  private tripped(now: number): boolean {
    if (this.consecutive >= this.opts.failureThreshold) return true
    const [calls, failures] = this.windowTotals(now)
    return calls >= this.opts.minRequests && failures / calls >= this.opts.errorRate
  }

  /** Milliseconds until an open circuit lets a probe through (0 when not open). */
  retryInMs(now: number): number {
    return this.state === 'open' ? Math.max(0, this.opts.cooldownMs - (now - this.openedAt)) : 0
  }

  private open(now: number): void {
    this.state = 'open'
    this.openedAt = now
    this.probeOut = false
    this.opens++
  }

  private slot(now: number): number {
    const width = this.opts.windowMs / BUCKETS
    const start = Math.floor(now / width) * width
    const i = Math.floor(now / width) % BUCKETS
    if (this.bucketAt[i] !== start) {
      this.bucketAt[i] = start
      this.calls[i] = 0
      this.failures[i] = 0
    }
    return i
  }

  private record(now: number, failed: boolean): void {
    const i = this.slot(now)
    this.calls[i]++
    if (failed) this.failures[i]++
  }

  private windowTotals(now: number): [number, number] {
    let calls = 0
    let failures = 0
    for (let i = 0; i < BUCKETS; i++) {
      if (now - this.bucketAt[i] < this.opts.windowMs) {
        calls += this.calls[i]
        failures += this.failures[i]
      }
    }
    return [calls, failures]
  }

  private resetWindow(): void {
    this.calls.fill(0)
    this.failures.fill(0)
  }
}

const SEVERITY: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 }

/** Breakers by target (`provider/model`), created on first use. */
export class BreakerRegistry {
  private byTarget = new Map<string, CircuitBreaker>()

  constructor(private opts: BreakerOptions = DEFAULT_BREAKER) {}

  for(providerId: string, model: string): CircuitBreaker {
    const key = `${providerId}/${model}`
    let b = this.byTarget.get(key)
    if (!b) {
      b = new CircuitBreaker(this.opts)
      this.byTarget.set(key, b)
    }
    return b
  }

  /** A provider's circuit as the UI shows it: the worst state among its targets. */
  get(providerId: string): { state: CircuitState } | undefined {
    let worst: CircuitState | undefined
    for (const [key, b] of this.byTarget) {
      if (!key.startsWith(`${providerId}/`)) continue
      if (!worst || SEVERITY[b.state] > SEVERITY[worst]) worst = b.state
    }
    return worst ? { state: worst } : undefined
  }

  entries(): IterableIterator<[string, CircuitBreaker]> {
    return this.byTarget.entries()
  }
}
