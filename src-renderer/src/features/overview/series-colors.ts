import { OTHER_SERIES } from '../../store/selectors'

const SERIES_COUNT = 8

/**
 * A stable colour per series name: the same model is the same colour on every chart and every visit
 * (hashing the name, Grafana-style), and `other` is always grey.
 */
export function seriesColor(name: string): string {
  if (name === OTHER_SERIES) return 'var(--series-other)'
  let h = 0
  for (let i = 0; i < name.length; i++) h = (Math.imul(h, 31) + name.charCodeAt(i)) | 0
  return `var(--series-${(Math.abs(h) % SERIES_COUNT) + 1})`
}

export const ANIMATE = typeof window === 'undefined' || !window.matchMedia('(prefers-reduced-motion: reduce)').matches
