import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore, type StoreApi } from 'zustand/vanilla'
import { gatewayBaseUrl, getJson } from '../api/client'
import { createStatusSlice, type StatusSlice } from './status-slice'

vi.mock('../api/client', () => ({ getJson: vi.fn(), gatewayBaseUrl: vi.fn() }))
const get = vi.mocked(getJson)

/** One status poll: /health, then /admin/v1/info with the given start time. */
function answer(startedAt: string | null) {
  get.mockImplementation(async (path: string) => {
    if (startedAt === null) throw new Error('fetch failed')
    return (path === '/health' ? { status: 'ok' } : { startedAt }) as never
  })
}

describe('status slice', () => {
  let store: StoreApi<StatusSlice>
  beforeEach(() => {
    vi.resetAllMocks()
    vi.mocked(gatewayBaseUrl).mockResolvedValue('http://127.0.0.1:4141')
    store = createStore<StatusSlice>()(createStatusSlice)
  })

  it('counts a restart when the gateway comes back with a new start time, not on the first poll or a blip', async () => {
    answer('2026-12-03T10:00:00.000Z')
    await store.getState().refreshStatus()
    await store.getState().refreshStatus()
    expect(store.getState().gatewayRestarts).toBe(0)
    answer(null)
    await store.getState().refreshStatus()
    expect(store.getState()).toMatchObject({ health: 'down', gatewayRestarts: 0 })
    answer('2026-12-03T10:05:00.000Z')
    await store.getState().refreshStatus()
    expect(store.getState()).toMatchObject({ health: 'ok', gatewayRestarts: 1 })
  })
})
