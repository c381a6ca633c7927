/** How a key's budget answers a new call: go ahead, spent (block or downgrade), or held by calls in flight. */
export type BudgetRoom = 'open' | 'spent' | 'held'

/** What an admitted call reserved of its key's budget until it ends. */
export interface BudgetHold {
  usd: number
}

/** Floating-point slack, so five reservations of $1 fit a $5 budget. */
const EPSILON = 1e-9

/**
 * One key's calls in flight against its budget. An admitted call reserves what it may cost; another is
 * admitted while spend + reservations + its own reservation fit in the budget, or when nothing of the
 * key's is in flight. The spend of concurrent calls can then pass the budget by at most one call (the
 * one admitted alone), provided no call costs more than it reserved.
 */
export class BudgetGate {
  private inFlight = 0
  private reservedUsd = 0
  /** The most one successful call of each requested model has cost this key. */
  private highWater = new Map<string, number>()

  room(spentUsd: number, budgetUsd: number, reservationUsd: number | undefined): BudgetRoom {
    if (spentUsd >= budgetUsd) return 'spent'
    if (this.inFlight === 0) return 'open'
    // A call whose cost cannot be bounded waits until the key has nothing in flight.
    if (reservationUsd === undefined) return 'held'
    return spentUsd + this.reservedUsd + reservationUsd > budgetUsd + EPSILON ? 'held' : 'open'
  }

  /** The most a call of `model` has cost so far; undefined until one has succeeded. */
  highest(model: string): number | undefined {
    return this.highWater.get(model)
  }

  hold(usd: number | undefined): BudgetHold {
    this.inFlight++
    this.reservedUsd += usd ?? 0
    return { usd: usd ?? 0 }
  }

  /** Ends a call: frees its reservation and learns what a call of its model costs. */
  release(hold: BudgetHold, model: string, costUsd: number, succeeded: boolean): void {
    this.inFlight--
    this.reservedUsd = this.inFlight === 0 ? 0 : this.reservedUsd - hold.usd
    // A failure that cost nothing says nothing about what the model costs.
    if (succeeded || costUsd > 0) this.highWater.set(model, Math.max(this.highWater.get(model) ?? 0, costUsd))
  }

  get callsInFlight(): number {
    return this.inFlight
  }
}
