import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore } from 'zustand/vanilla'
import type { OverviewResult, StatsResult } from '../../../src-shared/admin-api'
import { getJson } from '../api/client'
import { overviewApi } from '../api/overview'
import { createDashboardSlice, type DashboardSlice } from './dashboard-slice'

vi.mock('../api/overview', () => ({ overviewApi: { overview: vi.fn() } }))
vi.mock('../api/client', async (orig) => ({ ...(await orig<object>()), getJson: vi.fn() }))
const api = vi.mocked(overviewApi)

const result = (bucket: string, groupBy: string | null) =>
  ({ totals: { requests: 1 }, bucket, groupBy }) as unknown as StatsResult

/** Overview calls that wait until the test answers them, counting how many are open at once. */
function heldOverviews() {
  const pending: (() => void)[] = []
  let open = 0
  let mostOpen = 0
  api.overview.mockImplementation(
    (q) =>
      new Promise<OverviewResult>((resolve) => {
        open++
        mostOpen = Math.max(mostOpen, open)
        pending.push(() => {
          open--
          const groups = Object.fromEntries(
            [...new Set(['model', 'provider', q.groupBy])].map((g) => [g, result(q.bucket, g)]),
          )
          resolve({ overall: result(q.bucket, null), groups, previous: { requests: 2 } } as unknown as OverviewResult)
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

describe('dashboard slice', () => {
  beforeEach(() => {
    vi.resetAllMocks()
    vi.mocked(getJson).mockResolvedValue({ providers: [{ id: 'local', local: true }] })
  })

  it('loads a refresh with one stats call, and draws each chart from its grouping', async () => {
    const held = heldOverviews()
    const store = createStore<DashboardSlice>()(createDashboardSlice)
    store.setState({ groupBy: 'key' })
    const done = store.getState().loadDashboard()
    await held.drain()
    await done
    expect(api.overview).toHaveBeenCalledTimes(1)
    expect(api.overview.mock.calls[0][0]).toMatchObject({ bucket: 'hour', groupBy: 'key' })
    const d = store.getState().dashboard!
    expect([d.overall.groupBy, d.grouped.groupBy, d.byModel.groupBy, d.byProvider.groupBy]).toEqual([
      null,
      'key',
      'model',
      'provider',
    ])
    expect(d.previous.requests).toBe(2)
    expect(d.localProviders).toEqual(['local'])
  })

  it('a periodic refresh while a load runs sends nothing', async () => {
    const held = heldOverviews()
    const store = createStore<DashboardSlice>()(createDashboardSlice)
    const done = store.getState().loadDashboard()
    for (let i = 0; i < 5; i++) store.getState().refreshDashboard()
    await held.drain()
    await done
    expect(api.overview).toHaveBeenCalledTimes(1)
  })

  it('a range change during a load loads once more afterwards, for the new range only', async () => {
    const held = heldOverviews()
    const store = createStore<DashboardSlice>()(createDashboardSlice)
    const done = store.getState().loadDashboard()
    store.getState().setRange('30d')
    store.getState().setRange('7d')
    await held.drain()
    await done
    expect(api.overview).toHaveBeenCalledTimes(2)
    expect(held.mostOpen()).toBe(1)
    expect(api.overview.mock.calls[1][0].bucket).toBe('day')
    expect(store.getState()).toMatchObject({ range: '7d', dashboardLoading: false })
  })
})
