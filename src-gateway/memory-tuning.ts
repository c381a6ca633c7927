import { PerformanceObserver } from 'node:perf_hooks'
import v8 from 'node:v8'

// A gateway's heap is mostly request garbage that dies within a millisecond or two, plus log rows that
// wait for their batch. V8's defaults are sized for bigger programs: the young generation's semi-spaces
// grow to 16 MB (~32 MB resident) and the old generation grows up to 4× after each full GC, which took the
// headless gateway to ~260 MB RSS under the bench's load. The settings below trade a little of that back for
// CPU: at the bench's anthropic-stream load (~7 000 calls/s, every row logged), 4 MB semi-spaces and 10%
// growth cost 0.161–0.169 CPU ms per call (a scavenge every 5 ms, a full GC every 300 ms with concurrent
// marking on the second core); 8 MB and 30% cost 0.137–0.144 for 151 MB peak RSS instead of 137 MB; V8's
// defaults 0.130–0.141 for ~260 MB; 16 MB semi-spaces were no faster (alternating runs of
// test/bench/gateway-alone.sh). No hard heap limit is set: a 20 MB image request must never meet an
// out-of-memory crash.
//
// Runs before anything else is loaded (see cli.ts): these flags are read when V8 next needs them, and the
// process must not depend on being launched with command-line flags.

// Semi-spaces held at 8 MB. `--max-semi-space-size` only works on the command line, but the growth factor
// is read at every scavenge, so it is V8's default 2 below the cap and 1 (no growth) at it. V8 may still
// shrink the young generation when idle; it then grows back to the cap.
const YOUNG_GENERATION_CAP_BYTES = 2 * 8 * 1024 * 1024

// The old generation grows by 30% after a full GC instead of up to 4×: log rows waiting for their batch are
// promoted, and with 10% a full GC ran every few MB of them.
v8.setFlagsFromString('--heap-growing-percent=30')

// WebAssembly (undici's HTTP parser) stays on the baseline compiler: optimising it briefly took ~35 MB
// at the first upstream call, and the parser's share of a request is too small to gain from it.
v8.setFlagsFromString('--liftoff-only')

let growthFactor = 0
function governYoungGeneration(): void {
  const newSpace = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')
  const factor = newSpace && newSpace.space_size >= YOUNG_GENERATION_CAP_BYTES ? 1 : 2
  // At the cap the flag is set again after every collection, not only when it changes: V8's flags are the
  // process's, and each new isolate (a worker thread: the log writer's, a report's) puts a growth factor below 2
  // back to 2 as its heap is configured, which would let this one grow to 32 MB.
  if (factor === growthFactor && factor === 2) return
  growthFactor = factor
  v8.setFlagsFromString(`--semi-space-growth-factor=${factor}`)
}
governYoungGeneration()
// A GC entry arrives after each collection, well before the next growth step could happen.
new PerformanceObserver(governYoungGeneration).observe({ entryTypes: ['gc'] })
