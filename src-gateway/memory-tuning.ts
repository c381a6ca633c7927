import v8 from 'node:v8'
import { startGoverningYoungGeneration } from './young-generation.js'

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

// The old generation grows by 30% after a full GC instead of up to 4×: log rows waiting for their batch are
// promoted, and with 10% a full GC ran every few MB of them.
v8.setFlagsFromString('--heap-growing-percent=30')

// WebAssembly (undici's HTTP parser) stays on the baseline compiler: optimising it briefly took ~35 MB
// at the first upstream call, and the parser's share of a request is too small to gain from it.
v8.setFlagsFromString('--liftoff-only')

startGoverningYoungGeneration()
