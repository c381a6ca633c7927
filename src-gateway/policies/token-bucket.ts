/** Rounds a wait up to whole milliseconds, ignoring floating-point dust (1.0000000002 ms is 1 ms). */
const ceilMs = (ms: number) => Math.ceil(ms - 1e-6)

/**
 * A token bucket refilled continuously at `capacity` per `periodMs`. Time is passed in (never read) so
 * the gateway's injected clock drives it and tests are deterministic. The level may go below zero:
 * that is usage reported after the fact (actual tokens above the estimate) that later calls pay back.
 */
export class TokenBucket {
  private level: number
  private last: number
  private readonly perMs: number

  constructor(
    readonly capacity: number,
    periodMs: number,
    now: number,
  ) {
    this.level = capacity
    this.last = now
    this.perMs = capacity / periodMs
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.level = Math.min(this.capacity, this.level + (now - this.last) * this.perMs)
      this.last = now
    }
  }

  /**
   * Milliseconds until `n` tokens are there (0: now). A request larger than the whole bucket waits for
   * a full bucket instead of forever.
   */
  waitMs(n: number, now: number): number {
    this.refill(now)
    const need = Math.min(n, this.capacity)
    return this.level >= need ? 0 : ceilMs((need - this.level) / this.perMs)
  }

  /** Takes `n` tokens; callers check `waitMs` first. */
  take(n: number, now: number): void {
    this.refill(now)
    this.level -= n
  }

  /** Gives back (negative) or charges (positive) tokens once the real cost of a call is known. */
  adjust(delta: number, now: number): void {
    this.refill(now)
    this.level = Math.min(this.capacity, this.level - delta)
  }

  remaining(now: number): number {
    this.refill(now)
    return Math.max(0, Math.floor(this.level))
  }

  /** Milliseconds until the bucket is full again. */
  resetMs(now: number): number {
    this.refill(now)
    return ceilMs((this.capacity - this.level) / this.perMs)
  }

  /** Full buckets carry no state worth keeping: a new one would behave the same. */
  isFull(now: number): boolean {
    this.refill(now)
    return this.level >= this.capacity
  }
}
