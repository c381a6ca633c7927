import { QueryClient } from '@tanstack/react-query'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore } from 'zustand/vanilla'
import type { LogItem } from '../../../src-shared/admin-api'
import { adminApi } from '../api/admin'
import { latestRequestQuery } from '../queries/connect'
import { type ConnectSlice, createConnectSlice } from './connect-slice'

vi.mock('../api/admin', () => ({ adminApi: { logs: vi.fn() } }))
const api = vi.mocked(adminApi)
const page = (ids: number[]) => ({
  items: ids.map((id) => ({ id }) as LogItem),
  total: 0,
  isTotalCapped: false,
  nextCursor: null,
})

describe('connect', () => {
  beforeEach(() => vi.resetAllMocks())

  it('reads the newest request log row, or null when the log is empty', async () => {
    const client = new QueryClient()
    api.logs.mockResolvedValueOnce(page([]))
    expect(await client.fetchQuery(latestRequestQuery())).toBeNull()
    api.logs.mockResolvedValueOnce(page([9]))
    expect(await client.fetchQuery({ ...latestRequestQuery(), staleTime: 0 })).toEqual({ id: 9 })
    expect(api.logs).toHaveBeenCalledWith({}, { limit: 1 })
  })

  it('a connection test waits for a row newer than the latest at the time it started', () => {
    const store = createStore<ConnectSlice>()(createConnectSlice)
    store.getState().noteLatestRequest({ id: 8 } as LogItem)
    expect(store.getState().connectSeen).toBeNull()
    store.getState().startConnectionTest(7)
    store.getState().noteLatestRequest({ id: 7 } as LogItem)
    expect(store.getState()).toMatchObject({ connectWaitingAfter: 7, connectSeen: null })
    store.getState().noteLatestRequest({ id: 8 } as LogItem)
    expect(store.getState()).toMatchObject({ connectWaitingAfter: null, connectSeen: { id: 8 } })
  })

  it('an empty log waits for its first row', () => {
    const store = createStore<ConnectSlice>()(createConnectSlice)
    store.getState().startConnectionTest(null)
    store.getState().noteLatestRequest({ id: 1 } as LogItem)
    expect(store.getState().connectSeen).toEqual({ id: 1 })
  })
})
