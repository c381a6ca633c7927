const WINDOW = 20

/**
 * Recent latency per target (`provider/model`): the mean of the last WINDOW successful calls, using
 * time to first token for streams and total time otherwise.
 */
export class LatencyTracker {
  private samples = new Map<string, { values: number[]; next: number }>()

  record(key: string, ms: number): void {
    let s = this.samples.get(key)
    if (!s) {
      s = { values: [], next: 0 }
      this.samples.set(key, s)
    }
    if (s.values.length < WINDOW) s.values.push(ms)
    else s.values[s.next] = ms
    s.next = (s.next + 1) % WINDOW
  }

  /** Mean recent latency, or undefined for a target never measured. */
  mean(key: string): number | undefined {
    const s = this.samples.get(key)
    if (!s || s.values.length === 0) return undefined
    let sum = 0
    for (const v of s.values) sum += v
    return sum / s.values.length
  }
}
