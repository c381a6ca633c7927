const HOUR = 3_600_000
/** The hours the average is taken over. */
export const TRAILING_HOURS = 24

/** This hour's spend against the trailing hourly average, when it is an anomaly. */
export interface CostAnomaly {
  hourStart: number
  spentUsd: number
  averageUsd: number
}

/**
 * Spend per clock hour over the last day, kept in memory (seeded from the cost ledger at start), so an
 * hour that costs `factor` times the trailing 24 h hourly average is seen as soon as its rows are priced.
 */
export class HourlySpend {
  private byHour = new Map<number, number>()

  /** Replaces what is known with `hours` (spend per clock hour, hours since the epoch): the shared log's totals. */
  replace(hours: readonly { hour: number; usd: number }[]): void {
    this.byHour = new Map(hours.map((r) => [r.hour, r.usd]))
  }

  /** Adds spend to the hour containing `at` (epoch ms). */
  add(usd: number, at: number): void {
    const h = Math.floor(at / HOUR)
    this.byHour.set(h, (this.byHour.get(h) ?? 0) + usd)
  }

  /**
   * The current hour as an anomaly, or undefined. Hours without spend count as zero in the average, so a
   * gateway that was idle yesterday flags its first expensive hour (above `minUsd`).
   */
  check(now: number, factor: number, minUsd: number): CostAnomaly | undefined {
    const h = Math.floor(now / HOUR)
    for (const k of this.byHour.keys()) if (k < h - TRAILING_HOURS) this.byHour.delete(k)
    const spentUsd = this.byHour.get(h) ?? 0
    let trailing = 0
    for (let k = h - TRAILING_HOURS; k < h; k++) trailing += this.byHour.get(k) ?? 0
    const averageUsd = trailing / TRAILING_HOURS
    if (spentUsd < minUsd || spentUsd <= factor * averageUsd) return undefined
    return { hourStart: h * HOUR, spentUsd, averageUsd }
  }
}
