import type { ComparePane } from '../../store/compare-slice'

/**
 * The fastest and cheapest finished panes get a badge. Every pane that ties for best shares it, and
 * when all panes are equal (two local models at $0) nobody gets it: a badge must tell panes apart.
 */
export function paneBadges(panes: ComparePane[]): Map<string, string[]> {
  const done = panes.filter((p) => p.state === 'done' && p.cell)
  const out = new Map<string, string[]>()
  if (done.length < 2) return out
  const award = (badge: string, value: (p: ComparePane) => number | null | undefined) => {
    const known = done.filter((p) => typeof value(p) === 'number')
    if (known.length === 0) return
    const values = known.map((p) => value(p) as number)
    const min = Math.min(...values)
    if (known.length === done.length && values.every((v) => v === min)) return
    for (const p of known) if (value(p) === min) out.set(p.model, [...(out.get(p.model) ?? []), badge])
  }
  award('fastest', (p) => p.cell?.latencyMs)
  award('cheapest', (p) => p.cell?.costUsd)
  return out
}
