import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore, type StoreApi } from 'zustand/vanilla'
import { alertsApi } from '../api/alerts'
import { ApiError } from '../api/client'
import { type AlertsSlice, createAlertsSlice } from './alerts-slice'

vi.mock('../api/alerts', () => ({ alertsApi: { list: vi.fn(), ack: vi.fn() } }))
const api = vi.mocked(alertsApi)

const alert = (id: number) => ({
  id,
  createdAt: '2026-01-15T12:00:00.000Z',
  kind: 'budget' as const,
  level: 'warning' as const,
  keyName: 'ci',
  message: `alert ${id}`,
  details: {},
  acknowledgedAt: null,
})

describe('alerts slice', () => {
  let store: StoreApi<AlertsSlice>
  beforeEach(() => {
    vi.resetAllMocks()
    store = createStore<AlertsSlice>()(createAlertsSlice)
  })

  it('loads the open alerts and drops one once acknowledged', async () => {
    api.list.mockResolvedValueOnce({ items: [alert(2), alert(1)], total: 2, nextCursor: null })
    await store.getState().loadAlerts()
    expect(api.list).toHaveBeenCalledWith({ status: 'open', limit: 20 })
    expect(store.getState().openAlerts?.map((a) => a.id)).toEqual([2, 1])

    api.ack.mockResolvedValueOnce({ ...alert(2), acknowledgedAt: '2026-01-15T12:01:00.000Z' })
    api.list.mockResolvedValueOnce({ items: [alert(1)], total: 1, nextCursor: null })
    expect(await store.getState().ackAlert(2)).toBe(true)
    expect(api.ack).toHaveBeenCalledWith(2)
    expect(store.getState().openAlerts?.map((a) => a.id)).toEqual([1])
    expect(store.getState().openAlertsTotal).toBe(1)
  })

  it('keeps the list and shows why an acknowledgement failed', async () => {
    api.list.mockResolvedValueOnce({ items: [alert(1)], total: 1, nextCursor: null })
    await store.getState().loadAlerts()
    api.ack.mockRejectedValueOnce(new ApiError(404, 'no alert 1'))
    expect(await store.getState().ackAlert(1)).toBe(false)
    expect(store.getState().alertsError).toBe('no alert 1 (HTTP 404)')
    expect(store.getState().openAlerts).toHaveLength(1)
    expect(store.getState().alertAcking).toBeNull()
  })

  it('lists budget alerts, acknowledged ones too, and marks one acknowledged in place', async () => {
    api.list.mockResolvedValueOnce({ items: [alert(3), alert(2)], total: 2, nextCursor: null })
    await store.getState().loadBudgetAlerts()
    expect(api.list).toHaveBeenCalledWith({ status: 'all', kind: 'budget', limit: 50 })

    const acked = { ...alert(3), acknowledgedAt: '2026-01-15T12:01:00.000Z' }
    api.ack.mockResolvedValueOnce(acked)
    api.list.mockResolvedValueOnce({ items: [alert(2)], total: 1, nextCursor: null })
    expect(await store.getState().ackAlert(3)).toBe(true)
    expect(store.getState().budgetAlerts).toEqual([acked, alert(2)])
    // The banner's open list is read again: the acknowledged alert leaves it.
    expect(store.getState().openAlerts?.map((a) => a.id)).toEqual([2])
  })
})
