/**
 * `v` scaled to length 1 (a copy), so cosine similarity is a plain dot product; undefined for a zero or
 * non-finite vector, which has no direction to compare.
 */
export function unitVector(v: Float32Array): Float32Array | undefined {
  let sum = 0
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i]
  if (!(sum > 0) || !Number.isFinite(sum)) return undefined
  const scale = 1 / Math.sqrt(sum)
  const out = new Float32Array(v.length)
  for (let i = 0; i < v.length; i++) out[i] = v[i] * scale
  return out
}

/**
 * Unit vectors grouped by namespace; a lookup compares only within one. Brute force: at 10^4 vectors of
 * 1536 dimensions per namespace a scan takes a few ms, well under the embedding call that precedes it.
 */
export class SemanticIndex {
  private readonly spaces = new Map<string, Map<string, Float32Array>>()

  /** `unit` must come from unitVector. */
  add(namespace: string, key: string, unit: Float32Array): void {
    let space = this.spaces.get(namespace)
    if (!space) {
      space = new Map()
      this.spaces.set(namespace, space)
    }
    space.set(key, unit)
  }

  remove(namespace: string, key: string): void {
    const space = this.spaces.get(namespace)
    if (!space?.delete(key)) return
    if (space.size === 0) this.spaces.delete(namespace)
  }

  clear(namespace?: string): void {
    if (namespace === undefined) this.spaces.clear()
    else this.spaces.delete(namespace)
  }

  /** The most similar vector at or above `threshold` among those `accept` lets through. */
  nearest(
    namespace: string,
    unit: Float32Array,
    threshold: number,
    accept: (key: string) => boolean,
  ): { key: string; similarity: number } | undefined {
    const space = this.spaces.get(namespace)
    if (!space) return undefined
    let best: { key: string; similarity: number } | undefined
    for (const [key, v] of space) {
      // A vector of another length came from another embedding model: not comparable.
      if (v.length !== unit.length) continue
      let dot = 0
      for (let i = 0; i < v.length; i++) dot += v[i] * unit[i]
      if (dot >= threshold && (!best || dot > best.similarity) && accept(key)) best = { key, similarity: dot }
    }
    return best
  }
}
