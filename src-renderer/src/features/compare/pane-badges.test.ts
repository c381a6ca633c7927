import { describe, expect, it } from 'vitest'
import type { Cell } from '../../api/prompts'
import type { ComparePane } from '../../store/compare-slice'
import { paneBadges } from './pane-badges'

const pane = (model: string, latencyMs: number | null, costUsd: number | null): ComparePane => ({
  model,
  state: 'done',
  text: '',
  error: null,
  cell: { latencyMs, costUsd } as Cell,
})

describe('compare pane badges', () => {
  it('gives each badge to the one best pane', () => {
    const b = paneBadges([pane('a', 100, 0.002), pane('b', 50, 0.001), pane('c', 80, 0.003)])
    expect(Object.fromEntries(b)).toEqual({ b: ['fastest', 'cheapest'] })
  })

  it('no "cheapest" when every pane cost the same ($0 local models)', () => {
    const b = paneBadges([pane('a', 100, 0), pane('b', 50, 0)])
    expect(Object.fromEntries(b)).toEqual({ b: ['fastest'] })
  })

  it('a tie for best among more panes shares the badge', () => {
    const b = paneBadges([pane('a', 100, 0), pane('b', 50, 0), pane('c', 70, 0.01)])
    expect(Object.fromEntries(b)).toEqual({ a: ['cheapest'], b: ['fastest', 'cheapest'] })
  })

  it('unknown values never win, and one finished pane gets nothing', () => {
    expect(Object.fromEntries(paneBadges([pane('a', 100, null), pane('b', 50, 0.001)]))).toEqual({
      b: ['fastest', 'cheapest'],
    })
    expect(paneBadges([pane('a', 1, 0)]).size).toBe(0)
  })
})
