import { createHash } from 'node:crypto'
import type { SplitArm } from './types.js'

/** A caller's fixed point in [0, 1) for one prompt label: the same caller always lands on the same arm. */
export function stickyPoint(caller: string, promptName: string, label: string): number {
  const digest = createHash('sha256').update(`${promptName}\0${label}\0${caller}`).digest()
  return digest.readUInt32BE(0) / 2 ** 32
}

/**
 * The arm a caller gets: arms cover [0, 1) in proportion to their weights, in the order given. Hashing
 * instead of storing assignments keeps the split sticky across restarts with nothing to look up.
 */
export function pickArm(split: readonly SplitArm[], point: number): SplitArm {
  const total = split.reduce((sum, a) => sum + Math.max(0, a.weight), 0)
  let edge = 0
  for (const arm of split) {
    edge += Math.max(0, arm.weight) / total
    if (point < edge) return arm
  }
  // Rounding can leave the top of the range uncovered; it belongs to the last arm with weight.
  return [...split].reverse().find((a) => a.weight > 0)!
}

/** The arm's name in logs and stats, e.g. `production:v2`. */
export function armName(label: string, version: number): string {
  return `${label}:v${version}`
}
