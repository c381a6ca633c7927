import type { TrafficAnomaly } from '../../src-shared/contract/alerts.js'

const MINUTE = 60_000
/** The stretch before the window whose average window is a key's norm. */
export const NORM_MINUTES = 60

export interface TrafficSettings {
  factor: number
  windowMinutes: number
  minRequests: number
}

/** A key whose requests in the last window far exceed its norm (stated by the admin contract). */
export type TrafficFlag = TrafficAnomaly

/**
 * Requests per key per minute over the last hour or so, in memory (seeded from the request log at
 * start). A key is flagged while its requests in the last `windowMinutes` reach `minRequests` and exceed
 * `factor` times its average window over the hour before.
 */
export class TrafficMonitor {
  private byKey = new Map<string, Map<number, number>>()
  private flagged = new Set<string>()

  constructor(private settings: TrafficSettings) {}

  configure(settings: TrafficSettings): void {
    this.settings = settings
  }

  /** Counts `n` requests of `key` in the minute containing `at`. */
  add(key: string, at: number, n = 1): void {
    let minutes = this.byKey.get(key)
    if (!minutes) {
      minutes = new Map()
      this.byKey.set(key, minutes)
    }
    const m = Math.floor(at / MINUTE)
    minutes.set(m, (minutes.get(m) ?? 0) + n)
  }

  /** Counts one request; answers the flag when this request is the one that made the key anomalous. */
  hit(key: string, now: number): TrafficFlag | undefined {
    this.add(key, now)
    const flag = this.flag(key, now)
    if (!flag) {
      this.flagged.delete(key)
      return undefined
    }
    if (this.flagged.has(key)) return undefined
    this.flagged.add(key)
    return flag
  }

  /** The key's state now: a flag while it is anomalous. */
  flag(key: string, now: number): TrafficFlag | undefined {
    const minutes = this.byKey.get(key)
    if (!minutes) return undefined
    const { factor, windowMinutes, minRequests } = this.settings
    const m = Math.floor(now / MINUTE)
    const windowStart = m - windowMinutes + 1
    const normStart = windowStart - NORM_MINUTES
    let windowRequests = 0
    let norm = 0
    for (const [minute, n] of minutes) {
      if (minute < normStart) minutes.delete(minute)
      else if (minute >= windowStart) windowRequests += n
      else norm += n
    }
    const normPerWindow = (norm * windowMinutes) / NORM_MINUTES
    if (windowRequests < minRequests || windowRequests <= factor * normPerWindow) return undefined
    return { windowRequests, normPerWindow, windowMinutes }
  }
}
