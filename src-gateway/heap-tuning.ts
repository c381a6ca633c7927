import v8 from 'node:v8'

// Under load a gateway's heap is almost all short-lived request garbage, and V8's default of growing the
// old generation generously after each full GC let a headless gateway reach ~250 MB RSS in the bench.
// Growing it by at most 10% and capping the young generation's semi-spaces at 4 MB keeps peak memory
// lower. No hard heap limit is set: a 20 MB image request must never meet an out-of-memory crash.
v8.setFlagsFromString('--heap-growing-percent=10')
v8.setFlagsFromString('--max-semi-space-size=4')
