import { PerformanceObserver } from 'node:perf_hooks'
import v8 from 'node:v8'

// Semi-spaces held at 8 MB (memory-tuning.ts says why). `--max-semi-space-size` only works on the command line,
// but the growth factor is read at every scavenge, so it is V8's default 2 below the cap and 1 (no growth) at it.
// V8 may still shrink the young generation when idle; it then grows back to the cap.
const YOUNG_GENERATION_CAP_BYTES = 2 * 8 * 1024 * 1024

let governed = false
let growthFactor = 0
function governYoungGeneration(): void {
  const newSpace = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')
  const factor = newSpace && newSpace.space_size >= YOUNG_GENERATION_CAP_BYTES ? 1 : 2
  // At the cap the flag is set again after every collection, not only when it changes: V8's flags are the
  // process's, and each new isolate (a worker thread: the log writer's, a report's) puts a growth factor below 2
  // back to 2 as its heap is configured (see isolateStarted).
  if (factor === growthFactor && factor === 2) return
  growthFactor = factor
  v8.setFlagsFromString(`--semi-space-growth-factor=${factor}`)
}

/** Holds this process's young generation at its cap from now on (memory-tuning.ts, the CLI's processes only). */
export function startGoverningYoungGeneration(): void {
  governed = true
  governYoungGeneration()
  // A GC entry arrives after each collection, well before the next growth step could happen.
  new PerformanceObserver(governYoungGeneration).observe({ entryTypes: ['gc'] })
}

/** Whether this process holds its young generation at the cap: a new isolate must then hand it back (below). */
export function governsYoungGeneration(): boolean {
  return governed
}

/**
 * Call once a new worker thread runs its first JavaScript (its isolate's heap is configured by then): the flag it
 * put back to 2 is set again before this thread's next scavenge could double the young generation past the cap.
 */
export function isolateStarted(): void {
  if (governed) governYoungGeneration()
}
