import { PerformanceObserver } from 'node:perf_hooks'
import v8 from 'node:v8'

// A gateway's heap is mostly request garbage that dies within a millisecond or two, plus log rows that
// wait for their batch. V8's defaults are sized for bigger programs: the young generation's semi-spaces
// grow to 16 MB (~32 MB resident) and the old generation grows generously after each full GC, which took
// the headless gateway to ~185 MB RSS under the bench's load. Measured with `npm run bench` and A/B runs
// of the built CLI, each setting below saves memory for no throughput loss beyond the run-to-run noise
// (a small nursery also stays in the CPU cache). No hard heap limit is set: a 20 MB image request must
// never meet an out-of-memory crash.
//
// Runs before anything else is loaded (see cli.ts): these flags are read when V8 next needs them, and the
// process must not depend on being launched with command-line flags.

// Semi-spaces held at 4 MB: ~25 MB less at peak. `--max-semi-space-size` only works on the command line,
// but the growth factor is read at every scavenge, so it is V8's default 2 below the cap and 1 (no growth)
// at it. V8 may still shrink the young generation when idle; it then grows back to the cap.
const YOUNG_GENERATION_CAP_BYTES = 2 * 4 * 1024 * 1024

// The old generation grows by 10% after a full GC instead of up to 4×.
v8.setFlagsFromString('--heap-growing-percent=10')

// WebAssembly (undici's HTTP parser) stays on the baseline compiler: optimising it briefly took ~35 MB
// at the first upstream call, and the parser's share of a request is too small to gain from it.
v8.setFlagsFromString('--liftoff-only')

let growthFactor = 0
function governYoungGeneration(): void {
  const newSpace = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')
  const factor = newSpace && newSpace.space_size >= YOUNG_GENERATION_CAP_BYTES ? 1 : 2
  if (factor === growthFactor) return
  growthFactor = factor
  v8.setFlagsFromString(`--semi-space-growth-factor=${factor}`)
}
governYoungGeneration()
// A GC entry arrives after each collection, well before the next growth step could happen.
new PerformanceObserver(governYoungGeneration).observe({ entryTypes: ['gc'] })
