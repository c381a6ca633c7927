/**
 * A latency histogram with fixed log-scale bins (the DDSketch layout): bin i holds values in
 * (MIN_MS·γ^(i-1), MIN_MS·γ^i], so any percentile read back is within 1% of the true nearest-rank value, and
 * two sketches merge by adding counts bin by bin. The rollup tables store one per cell, sparse, as a blob;
 * merging thousands of them for a month's chart costs a few additions per bin used, where the exact answer
 * needs every row's value. Fixed bins were chosen over HDR or t-digest: no dependency, a stable on-disk format, and a
 * merge that is exact (t-digest's is not).
 */

const MIN_MS = 0.01
const GAMMA = 1.02
const LOG_GAMMA = Math.log(GAMMA)
/** Bin 0 holds values up to MIN_MS (and 0); the last bin everything above MIN_MS·γ^(BINS-1) (~57 hours). */
const BINS = 1200

/** Counts per bin, only of the bins used: most cells, and most points of a chart, use a few dozen of them. */
export type Sketch = Map<number, number>

export function binOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0
  return Math.min(BINS - 1, Math.ceil(Math.log(ms / MIN_MS) / LOG_GAMMA))
}

/** The value a bin stands for: the point of least relative error to both of its edges. */
function binValue(bin: number): number {
  return bin === 0 ? 0 : (2 * MIN_MS * GAMMA ** bin) / (1 + GAMMA)
}

export function addValue(s: Sketch, ms: number): void {
  addToBin(s, binOf(ms))
}

/** Counts one value whose bin is known: a row's bin is computed once for every cell it goes into. */
export function addToBin(s: Sketch, bin: number): void {
  s.set(bin, (s.get(bin) ?? 0) + 1)
}

const scratch = new Float64Array(BINS)

/**
 * Nearest-rank percentiles (`ps` ascending, each in 0..1) of the sum of `parts`, null when they are empty:
 * the parts are added into one dense array, walked once, and cleared, so a month's total costs no merging.
 */
export function percentiles(parts: readonly Sketch[], ps: readonly number[]): (number | null)[] {
  let total = 0
  let lowest = BINS - 1
  for (const s of parts)
    for (const [bin, n] of s) {
      scratch[bin] += n
      total += n
      if (bin < lowest) lowest = bin
    }
  const out: (number | null)[] = ps.map(() => null)
  if (total === 0) return out
  let seen = 0
  // From the lowest bin used: latencies of tens of ms and more sit hundreds of bins up.
  let bin = lowest
  for (const [i, p] of ps.entries()) {
    const rank = Math.max(1, Math.ceil(p * total))
    while (bin < BINS - 1 && seen + scratch[bin] < rank) seen += scratch[bin++]
    out[i] = binValue(bin)
  }
  for (const s of parts) for (const bin of s.keys()) scratch[bin] = 0
  return out
}

/** Little-endian (bin: u16, count: u32) pairs in bin order: a cell costs 6 bytes per bin it uses. */
export function encodeSketch(s: Sketch): Buffer | null {
  if (s.size === 0) return null
  const buf = Buffer.allocUnsafe(s.size * 6)
  let at = 0
  for (const bin of [...s.keys()].sort((a, b) => a - b)) {
    buf.writeUInt16LE(bin, at)
    buf.writeUInt32LE(s.get(bin)!, at + 2)
    at += 6
  }
  return buf
}

/** Adds an encoded sketch's counts into `into`. Byte arithmetic: a month's report decodes a million pairs. */
export function addEncoded(into: Sketch, b: Uint8Array | null): void {
  if (!b) return
  for (let at = 0; at + 6 <= b.length; at += 6) {
    const bin = b[at] | (b[at + 1] << 8)
    into.set(bin, (into.get(bin) ?? 0) + b[at + 2] + b[at + 3] * 0x100 + b[at + 4] * 0x10000 + b[at + 5] * 0x1000000)
  }
}

/**
 * Sum of two encoded sketches, for the rollups' upsert (registered as an SQL function, so it runs for every cell
 * of every flush): both are in bin order, so they merge pair by pair into one buffer, with no map between.
 */
export function mergeEncoded(a: Uint8Array | null, b: Uint8Array | null): Buffer | null {
  if (!a || !b) return a ? Buffer.from(a) : b ? Buffer.from(b) : null
  const out = Buffer.allocUnsafe(a.length + b.length)
  let i = 0
  let j = 0
  let at = 0
  const binAt = (s: Uint8Array, k: number) => s[k] | (s[k + 1] << 8)
  const countAt = (s: Uint8Array, k: number) => s[k + 2] + s[k + 3] * 0x100 + s[k + 4] * 0x10000 + s[k + 5] * 0x1000000
  while (i + 6 <= a.length || j + 6 <= b.length) {
    const binA = i + 6 <= a.length ? binAt(a, i) : Number.POSITIVE_INFINITY
    const binB = j + 6 <= b.length ? binAt(b, j) : Number.POSITIVE_INFINITY
    const bin = Math.min(binA, binB)
    let count = 0
    if (binA === bin) {
      count += countAt(a, i)
      i += 6
    }
    if (binB === bin) {
      count += countAt(b, j)
      j += 6
    }
    out.writeUInt16LE(bin, at)
    out.writeUInt32LE(count, at + 2)
    at += 6
  }
  return out.subarray(0, at)
}
