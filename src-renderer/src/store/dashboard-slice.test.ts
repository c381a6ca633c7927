import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore } from 'zustand/vanilla'
import type { StatsResult } from '../../../src-shared/admin-api'
import { adminApi } from '../api/admin'
import { getJson } from '../api/client'
import { createDashboardSlice, type DashboardSlice } from './dashboard-slice'

vi.mock('../api/admin', () => ({ adminApi: { stats: vi.fn() } }))
vi.mock('../api/client', async (orig) => ({ ...(await orig<object>()), getJson: vi.fn() }))
const api = vi.mocked(adminApi)

/** Stats calls that wait until the test answers them, counting how many are open at once. */
function heldStats() {
  const pending: (() => void)[] = []
  let open = 0
  let mostOpen = 0
  api.stats.mockImplementation(
    (q) =>
      new Promise<StatsResult>((resolve) => {
        open++
        mostOpen = Math.max(mostOpen, open)
        pending.push(() => {
          open--
          resolve({ totals: { requests: 1 }, bucket: q.bucket, groupBy: q.groupBy ?? null } as unknown as StatsResult)
        })
      }),
  )
  return {
    /** Answers every open call, and the ones they lead to, until nothing is waiting. */
    async drain() {
      for (let i = 0; i < 100; i++) {
        await new Promise((r) => setTimeout(r, 0))
        const next = pending.shift()
        if (next) next()
        else if (i > 2) return
      }
    },
    mostOpen: () => mostOpen,
  }
}

describe('dashboard slice under a slow gateway', () => {
  beforeEach(() => {
    vi.resetAllMocks()
    vi.mocked(getJson).mockResolvedValue({ providers: [] })
  })

  it('sends its stats calls one at a time', async () => {
    const held = heldStats()
    const store = createStore<DashboardSlice>()(createDashboardSlice)
    const done = store.getState().loadDashboard()
    await held.drain()
    await done
    expect(api.stats).toHaveBeenCalledTimes(4)
    expect(held.mostOpen()).toBe(1)
  })

  it('a periodic refresh while a load runs sends nothing', async () => {
    const held = heldStats()
    const store = createStore<DashboardSlice>()(createDashboardSlice)
    const done = store.getState().loadDashboard()
    for (let i = 0; i < 5; i++) store.getState().refreshDashboard()
    await held.drain()
    await done
    expect(api.stats).toHaveBeenCalledTimes(4)
  })

  it('a range change during a load loads once more afterwards, for the new range only', async () => {
    const held = heldStats()
    const store = createStore<DashboardSlice>()(createDashboardSlice)
    const done = store.getState().loadDashboard()
    store.getState().setRange('30d')
    store.getState().setRange('7d')
    await held.drain()
    await done
    expect(api.stats).toHaveBeenCalledTimes(8)
    expect(held.mostOpen()).toBe(1)
    expect(api.stats.mock.calls.slice(4).map((c) => c[0].bucket)).toEqual(['day', 'day', 'day', 'day'])
    expect(store.getState()).toMatchObject({ range: '7d', dashboardLoading: false })
  })
})
