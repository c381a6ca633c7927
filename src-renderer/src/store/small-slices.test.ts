import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore } from 'zustand/vanilla'
import type { LogItem, OverviewResult, StatsResult } from '../../../src-shared/admin-api'
import { adminApi } from '../api/admin'
import { getJson } from '../api/client'
import { overviewApi } from '../api/overview'
import { type ConnectSlice, createConnectSlice } from './connect-slice'
import { createDashboardSlice, type DashboardSlice } from './dashboard-slice'
import { createHandoffSlice, type HandoffSlice } from './handoff-slice'

vi.mock('../api/admin', () => ({ adminApi: { logs: vi.fn() } }))
vi.mock('../api/overview', () => ({ overviewApi: { overview: vi.fn() } }))
vi.mock('../api/client', async (orig) => ({ ...(await orig<object>()), getJson: vi.fn() }))
const api = vi.mocked(adminApi)
const overview = vi.mocked(overviewApi)

describe('handoff slice', () => {
  it('holds what the Playground hands over until the receiver clears it', () => {
    const store = createStore<HandoffSlice>()(createHandoffSlice)
    const h = {
      kind: 'compare' as const,
      model: 'fast',
      messages: [{ role: 'user' as const, content: 'hi' }],
      params: { temperature: 0.5, maxTokens: null, topP: null },
    }
    store.getState().setHandoff(h)
    expect(store.getState().handoff).toEqual(h)
    store.getState().clearHandoff()
    expect(store.getState().handoff).toBeNull()
  })
})

describe('connect slice', () => {
  beforeEach(() => vi.resetAllMocks())
  const row = (id: number) => ({ id }) as LogItem

  it('a connection test waits for a row newer than the latest at the time it started', async () => {
    const store = createStore<ConnectSlice>()(createConnectSlice)
    api.logs.mockResolvedValue({ items: [row(7)], total: 7, isTotalCapped: false, nextCursor: null })
    await store.getState().pollConnect()
    store.getState().startConnectionTest()
    await store.getState().pollConnect()
    expect(store.getState()).toMatchObject({ connectWaitingAfter: 7, connectSeen: null })
    api.logs.mockResolvedValue({ items: [row(8)], total: 8, isTotalCapped: false, nextCursor: null })
    await store.getState().pollConnect()
    expect(store.getState()).toMatchObject({ connectWaitingAfter: null, connectSeen: { id: 8 } })
    expect(api.logs).toHaveBeenCalledWith({}, { limit: 1 })
  })
})

describe('dashboard slice', () => {
  beforeEach(() => vi.resetAllMocks())
  const result = (requests: number) => {
    const r = { totals: { requests } } as unknown as StatsResult
    return { overall: r, groups: { model: r, provider: r, key: r }, previous: r } as unknown as OverviewResult
  }

  it('asks for the range in one call with the chosen grouping, and marks local providers', async () => {
    overview.overview.mockResolvedValue(result(1))
    vi.mocked(getJson).mockResolvedValue({
      providers: [
        { id: 'ollama', type: 'ollama', baseUrl: null, hasApiKey: false, local: true },
        // A cloud type behind a loopback proxy: the gateway says whether it is local, not the URL.
        { id: 'openai', type: 'openai', baseUrl: 'http://127.0.0.1:4000/v1', hasApiKey: true, local: false },
      ],
    })
    const store = createStore<DashboardSlice>()(createDashboardSlice)
    store.setState({ range: '1h', groupBy: 'key' })
    const now = Date.parse('2026-11-25T12:00:00.000Z')
    await store.getState().loadDashboard(now)
    expect(overview.overview.mock.calls.map((c) => c[0])).toEqual([
      {
        from: '2026-11-25T11:00:00.000Z',
        to: '2026-11-25T12:00:00.000Z',
        // An hour drawn as two hourly bars said little: it is cut into 5-minute buckets.
        bucket: '5m',
        groupBy: 'key',
      },
    ])
    expect(store.getState().dashboard?.localProviders).toEqual(['ollama'])
    expect(store.getState().dashboardError).toBeNull()
  })

  it('keeps the last good numbers when a reload fails', async () => {
    overview.overview.mockResolvedValue(result(2))
    vi.mocked(getJson).mockResolvedValue({ providers: [] })
    const store = createStore<DashboardSlice>()(createDashboardSlice)
    await store.getState().loadDashboard()
    overview.overview.mockRejectedValue(new TypeError('Failed to fetch'))
    await store.getState().loadDashboard()
    expect(store.getState().dashboard?.overall.totals.requests).toBe(2)
    expect(store.getState().dashboardError).toBe('Cannot reach the gateway: Failed to fetch')
  })
})
