import { QueryClient } from '@tanstack/react-query'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { gatewayBaseUrl, getJson } from '../api/client'
import { type GatewayState, healthOf, invalidateAfterRestart, statusKey, statusQuery } from './status'

vi.mock('../api/client', () => ({ getJson: vi.fn(), gatewayBaseUrl: vi.fn() }))
const get = vi.mocked(getJson)

/** One status poll: /health, then /admin/v1/info with the given start time; null: the gateway is unreachable. */
function answer(startedAt: string | null) {
  get.mockImplementation(async (path: string) => {
    if (startedAt === null) throw new Error('fetch failed')
    return (path === '/health' ? { status: 'ok' } : { startedAt }) as never
  })
}

describe('status query', () => {
  let client: QueryClient
  const poll = () => client.fetchQuery({ ...statusQuery(), staleTime: 0 }).catch(() => undefined)
  const health = () => {
    const state = client.getQueryState<GatewayState>(statusKey())
    return healthOf(state?.data, state?.status === 'error')
  }
  beforeEach(() => {
    vi.resetAllMocks()
    vi.mocked(gatewayBaseUrl).mockResolvedValue('http://127.0.0.1:4141')
    client = new QueryClient()
  })

  it('invalidates every query when the gateway comes back with a new start time, not on the first poll or a blip', async () => {
    invalidateAfterRestart(client)
    client.setQueryData(['keys', 'list'], [])
    const stale = () => client.getQueryState(['keys', 'list'])?.isInvalidated
    expect(health()).toBe('unknown')
    answer('2026-12-03T10:00:00.000Z')
    await poll()
    await poll()
    expect(health()).toBe('ok')
    expect(stale()).toBe(false)
    answer(null)
    await poll()
    expect(health()).toBe('down')
    // The last info stays while the gateway is unreachable.
    expect(client.getQueryData(statusKey())).toMatchObject({ info: { startedAt: '2026-12-03T10:00:00.000Z' } })
    expect(stale()).toBe(false)
    answer('2026-12-03T10:05:00.000Z')
    await poll()
    expect(health()).toBe('ok')
    expect(stale()).toBe(true)
  })
})
