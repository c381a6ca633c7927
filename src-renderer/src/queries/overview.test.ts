import { environmentManager, QueryClient, QueryObserver } from '@tanstack/react-query'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { OverviewResult, StatsResult } from '../../../src-shared/admin-api'
import { getJson } from '../api/client'
import { overviewApi } from '../api/overview'
import { OVERVIEW_REFRESH_MS, overviewQuery } from './overview'

vi.mock('../api/overview', () => ({ overviewApi: { overview: vi.fn() } }))
vi.mock('../api/client', async (orig) => ({ ...(await orig<object>()), getJson: vi.fn() }))
const api = vi.mocked(overviewApi)

const answer = (requests: number) => {
  const r = { totals: { requests } } as unknown as StatsResult
  return { overall: r, groups: { model: r, provider: r, key: r }, previous: r } as unknown as OverviewResult
}

/** Overview calls that wait until the test answers them. */
function heldOverviews() {
  const pending: ((r: OverviewResult) => void)[] = []
  api.overview.mockImplementation(() => new Promise<OverviewResult>((resolve) => pending.push(resolve)))
  return {
    answerNext: async (requests: number) => {
      pending.shift()?.(answer(requests))
      await vi.advanceTimersByTimeAsync(0)
    },
  }
}

describe('overview query', () => {
  let client: QueryClient
  // Without a `window` TanStack takes Node for a server and schedules no refetch timer at all: these tests
  // stand in for the renderer, where it does.
  beforeAll(() => environmentManager.setIsServer(() => false))
  afterAll(() => environmentManager.setIsServer(() => typeof window === 'undefined'))
  beforeEach(() => {
    vi.resetAllMocks()
    vi.mocked(getJson).mockResolvedValue({ providers: [] })
    client = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  })
  afterEach(() => {
    client.clear()
    vi.useRealTimers()
  })

  it('asks for the range up to now in one call with the chosen grouping, and marks local providers', async () => {
    api.overview.mockResolvedValue(answer(1))
    vi.mocked(getJson).mockResolvedValue({
      providers: [
        { id: 'ollama', type: 'ollama', baseUrl: null, hasApiKey: false, local: true },
        // A cloud type behind a loopback proxy: the gateway says whether it is local, not the URL.
        { id: 'openai', type: 'openai', baseUrl: 'http://127.0.0.1:4000/v1', hasApiKey: true, local: false },
      ],
    })
    const data = await client.fetchQuery(overviewQuery('1h', 'key', () => Date.parse('2026-11-25T12:00:00.000Z')))
    expect(api.overview.mock.calls.map((c) => c[0])).toEqual([
      {
        from: '2026-11-25T11:00:00.000Z',
        to: '2026-11-25T12:00:00.000Z',
        // An hour drawn as two hourly bars said little: it is cut into 5-minute buckets.
        bucket: '5m',
        groupBy: 'key',
      },
    ])
    expect(data).toMatchObject({ range: '1h', groupBy: 'key', localProviders: ['ollama'] })
  })

  it('never starts an interval refresh while a load is still running', async () => {
    vi.useFakeTimers()
    const held = heldOverviews()
    const observer = new QueryObserver(client, overviewQuery('24h', 'model'))
    const unsubscribe = observer.subscribe(() => {})
    await vi.advanceTimersByTimeAsync(0)
    expect(api.overview).toHaveBeenCalledTimes(1)
    // A gateway slower than three refresh periods: the timer fires three times while the load runs.
    await vi.advanceTimersByTimeAsync(3 * OVERVIEW_REFRESH_MS + 1)
    expect(api.overview).toHaveBeenCalledTimes(1)
    await held.answerNext(1)
    expect(observer.getCurrentResult().data?.overall.totals.requests).toBe(1)
    // Once it has answered, the next tick refreshes again, once; numbers on screen, the refresh is just as slow.
    await vi.advanceTimersByTimeAsync(OVERVIEW_REFRESH_MS)
    expect(api.overview).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(3 * OVERVIEW_REFRESH_MS)
    expect(api.overview).toHaveBeenCalledTimes(2)
    expect(observer.getCurrentResult()).toMatchObject({
      isFetching: true,
      data: { overall: { totals: { requests: 1 } } },
    })
    await held.answerNext(2)
    expect(observer.getCurrentResult().data?.overall.totals.requests).toBe(2)
    unsubscribe()
  })

  it('keeps the last numbers on screen while another range loads', async () => {
    const held = heldOverviews()
    vi.useFakeTimers()
    const observer = new QueryObserver(client, overviewQuery('24h', 'model'))
    const unsubscribe = observer.subscribe(() => {})
    await held.answerNext(5)
    observer.setOptions(overviewQuery('7d', 'model'))
    await vi.advanceTimersByTimeAsync(0)
    expect(observer.getCurrentResult()).toMatchObject({ isPlaceholderData: true, isFetching: true })
    expect(observer.getCurrentResult().data).toMatchObject({ range: '24h', overall: { totals: { requests: 5 } } })
    await held.answerNext(7)
    expect(observer.getCurrentResult()).toMatchObject({ isPlaceholderData: false, data: { range: '7d' } })
    unsubscribe()
  })

  it('keeps the last good numbers beside the error when a refresh fails', async () => {
    api.overview.mockResolvedValue(answer(2))
    const query = overviewQuery('24h', 'model')
    await client.fetchQuery(query)
    api.overview.mockRejectedValue(new TypeError('Failed to fetch'))
    await client.refetchQueries({ queryKey: query.queryKey })
    const state = client.getQueryState(query.queryKey)
    expect(state?.data?.overall.totals.requests).toBe(2)
    expect(state?.error).toBeInstanceOf(TypeError)
  })
})
