/** Calls in flight per counter (a key's, a route's), per gateway: what `maxParallel` compares with its limit. */
export class InFlightCounts {
  private readonly counts = new Map<string, number>()

  count(id: string): number {
    return this.counts.get(id) ?? 0
  }

  take(id: string): void {
    this.counts.set(id, this.count(id) + 1)
  }

  release(id: string): void {
    const n = this.count(id) - 1
    // An idle counter is dropped, so keys and routes removed from the config leave nothing behind.
    if (n > 0) this.counts.set(id, n)
    else this.counts.delete(id)
  }
}

const byGateway = new WeakMap<object, InFlightCounts>()

/** The counts of one gateway (tests run several in one process; a config reload keeps them). */
export function inFlightCounts(gw: object): InFlightCounts {
  let counts = byGateway.get(gw)
  if (!counts) {
    counts = new InFlightCounts()
    byGateway.set(gw, counts)
  }
  return counts
}
