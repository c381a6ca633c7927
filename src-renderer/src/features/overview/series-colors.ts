import { OTHER_SERIES } from '../../store/selectors'

const SERIES_COUNT = 8

/**
 * A colour per series name by hashing it (Grafana-style), for lists that draw one name at a time. Two
 * names can share a slot, so charts that draw several series side by side use `seriesPalette`.
 */
export function seriesColor(name: string): string {
  if (name === OTHER_SERIES) return 'var(--series-other)'
  let h = 0
  for (let i = 0; i < name.length; i++) h = (Math.imul(h, 31) + name.charCodeAt(i)) | 0
  return `var(--series-${(Math.abs(h) % SERIES_COUNT) + 1})`
}

/**
 * Colours for the series one view shows, handed out from the fixed palette in the order given, so no two
 * share one; `other` is always grey. The charts show at most six named series, well within the eight.
 */
export function seriesPalette(names: string[]): (name: string) => string {
  const slots = new Map<string, number>()
  for (const n of names) if (n !== OTHER_SERIES && !slots.has(n)) slots.set(n, slots.size)
  return (name) => {
    const slot = slots.get(name)
    return slot === undefined ? 'var(--series-other)' : `var(--series-${(slot % SERIES_COUNT) + 1})`
  }
}

export const ANIMATE = typeof window === 'undefined' || !window.matchMedia('(prefers-reduced-motion: reduce)').matches
