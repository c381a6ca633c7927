import { QueryObserver } from '@tanstack/react-query'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { alertsApi } from '../api/alerts'
import { ApiError } from '../api/client'
import { queryClient } from '../api/query-client'
import { ackAlert, budgetAlertsKey, budgetAlertsQuery, openAlertsKey, openAlertsQuery } from './alerts'

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
const page = (items: ReturnType<typeof alert>[]) => ({ items, total: items.length, nextCursor: null })

describe('alerts queries', () => {
  beforeEach(() => {
    vi.resetAllMocks()
    queryClient.clear()
  })

  it('reads the open alerts, and drops one once acknowledged', async () => {
    api.list.mockResolvedValueOnce(page([alert(2), alert(1)]))
    // The banner on screen: the open list is active, so acknowledging reads it again at once.
    const banner = new QueryObserver(queryClient, openAlertsQuery())
    const stop = banner.subscribe(() => {})
    await vi.waitFor(() => expect(banner.getCurrentResult().data?.items.map((a) => a.id)).toEqual([2, 1]))
    expect(api.list.mock.calls[0]?.[0]).toEqual({ status: 'open', limit: 20 })

    api.ack.mockResolvedValueOnce({ ...alert(2), acknowledgedAt: '2026-01-15T12:01:00.000Z' })
    api.list.mockResolvedValueOnce(page([alert(1)]))
    await ackAlert(2)
    expect(api.ack).toHaveBeenCalledWith(2)
    expect(queryClient.getQueryData(openAlertsKey())).toMatchObject({ items: [{ id: 1 }], total: 1 })
    stop()
  })

  it('a failed acknowledgement throws and leaves the lists alone', async () => {
    api.list.mockResolvedValueOnce(page([alert(1)]))
    await queryClient.fetchQuery(openAlertsQuery())
    api.ack.mockRejectedValueOnce(new ApiError(404, 'no alert 1'))
    await expect(ackAlert(1)).rejects.toThrow('no alert 1')
    expect(queryClient.getQueryData(openAlertsKey())).toMatchObject({ items: [{ id: 1 }] })
    expect(api.list).toHaveBeenCalledTimes(1)
  })

  it('lists budget alerts, acknowledged ones too, and marks one acknowledged in place', async () => {
    api.list.mockResolvedValueOnce(page([alert(3), alert(2)]))
    await queryClient.fetchQuery(budgetAlertsQuery())
    expect(api.list.mock.calls[0]?.[0]).toEqual({ status: 'all', kind: 'budget', limit: 50 })

    const acked = { ...alert(3), acknowledgedAt: '2026-01-15T12:01:00.000Z' }
    api.ack.mockResolvedValueOnce(acked)
    await ackAlert(3)
    expect(queryClient.getQueryData(budgetAlertsKey())).toMatchObject({ items: [acked, alert(2)] })
  })
})
