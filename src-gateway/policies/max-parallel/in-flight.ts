/** What a counter counts: a key's calls or a route's. */
export interface Counted {
  scope: 'key' | 'route'
  name: string
}

const idOf = (c: Counted) => `${c.scope}\u0000${c.name}`

/** Prometheus label values may not hold a raw backslash, quote or newline; route names are free text. */
const label = (v: string) => v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')

/**
 * Calls in flight per key and per route in one gateway, which `maxParallel` compares with its limits, and
 * the calls it refused.
 */
export class InFlightCounts {
  private readonly counts = new Map<string, { of: Counted; n: number }>()
  private readonly refusals = new Map<string, { of: Counted; n: number }>()

  count(c: Counted): number {
    return this.counts.get(idOf(c))?.n ?? 0
  }

  take(c: Counted): void {
    const id = idOf(c)
    const entry = this.counts.get(id)
    if (entry) entry.n++
    else this.counts.set(id, { of: c, n: 1 })
  }

  release(c: Counted): void {
    const id = idOf(c)
    const entry = this.counts.get(id)
    if (!entry) return
    // An idle counter is dropped, so keys and routes removed from the config leave nothing behind.
    if (--entry.n <= 0) this.counts.delete(id)
  }

  refused(c: Counted): void {
    const id = idOf(c)
    const entry = this.refusals.get(id)
    if (entry) entry.n++
    else this.refusals.set(id, { of: c, n: 1 })
  }

  /** `switchyard_parallel_calls` (in flight, per limited key and route) and the refusals, in Prometheus text. */
  render(): string {
    // A gateway that never limited a call shows no families.
    if (this.counts.size === 0 && this.refusals.size === 0) return ''
    let out =
      '# HELP switchyard_parallel_calls Calls in flight on a key or route that has a maxParallel limit.\n' +
      '# TYPE switchyard_parallel_calls gauge\n'
    for (const { of, n } of this.counts.values()) {
      out += `switchyard_parallel_calls{scope="${of.scope}",name="${label(of.name)}"} ${n}\n`
    }
    out +=
      '# HELP switchyard_parallel_refusals_total Calls refused (429) because their key or route had maxParallel calls in flight.\n' +
      '# TYPE switchyard_parallel_refusals_total counter\n'
    for (const { of, n } of this.refusals.values()) {
      out += `switchyard_parallel_refusals_total{scope="${of.scope}",name="${label(of.name)}"} ${n}\n`
    }
    return out
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
