import { environmentManager, QueryClient, QueryObserver } from '@tanstack/react-query'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore, type StoreApi } from 'zustand/vanilla'
import { compareApi, promptsApi, type RunSnapshot } from '../api/prompts'
import { queryClient } from '../api/query-client'
import { compareRunQuery, compareRunsQuery, datasetPreviewQuery, RUN_POLL_MS } from '../queries/compare'
import { type CompareSlice, createCompareSlice } from './compare-slice'

vi.mock('../api/prompts', () => ({
  compareApi: {
    run: vi.fn(),
    runs: vi.fn(),
    diff: vi.fn(),
    startMatrix: vi.fn(),
    replay: vi.fn(),
    cancel: vi.fn(),
    rerun: vi.fn(),
    exportRun: vi.fn(),
    sideBySide: vi.fn(),
    parseDataset: vi.fn(),
  },
  promptsApi: { feedback: vi.fn() },
}))
const api = vi.mocked(compareApi)
const snapshot = (id: number, isActive: boolean, finished: number): RunSnapshot =>
  ({
    id,
    kind: 'matrix',
    isActive,
    status: isActive ? 'running' : 'done',
    progress: { finished, total: 2, errors: 0, costUsd: 0 },
    rows: [],
    columns: [],
    cells: [{ row: 0, col: 0, requestId: 'req_1', rating: null }],
  }) as unknown as RunSnapshot

describe('a running comparison', () => {
  beforeEach(() => vi.resetAllMocks())

  it('is read again while it runs, one read at a time, and no more once it is done', async () => {
    vi.useFakeTimers()
    // Vitest runs without a window, which TanStack takes for a server, where it never polls.
    environmentManager.setIsServer(() => false)
    try {
      const client = new QueryClient()
      let answer: (run: RunSnapshot) => void = () => {}
      api.run.mockImplementation(() => new Promise((r) => (answer = r)))
      const onScreen = new QueryObserver(client, compareRunQuery(7)).subscribe(() => {})
      expect(api.run).toHaveBeenCalledTimes(1)
      // The gateway is slow: the interval passes several times while the first read is out.
      await vi.advanceTimersByTimeAsync(RUN_POLL_MS * 3)
      expect(api.run).toHaveBeenCalledTimes(1)
      answer(snapshot(7, true, 1))
      await vi.advanceTimersByTimeAsync(RUN_POLL_MS + 50)
      expect(api.run).toHaveBeenCalledTimes(2)
      answer(snapshot(7, false, 2))
      await vi.advanceTimersByTimeAsync(RUN_POLL_MS * 5)
      expect(api.run).toHaveBeenCalledTimes(2)
      expect(client.getQueryData(compareRunQuery(7).queryKey)?.progress.finished).toBe(2)
      onScreen()
    } finally {
      environmentManager.setIsServer(() => typeof window === 'undefined')
      vi.useRealTimers()
    }
  })
})

describe('a dataset preview', () => {
  it('is keyed by its text: a slow answer for an older text is never the newer text’s', async () => {
    const client = new QueryClient()
    let answerOld: (v: unknown) => void = () => {}
    api.parseDataset.mockReturnValueOnce(new Promise((r) => (answerOld = r)) as never)
    api.parseDataset.mockResolvedValueOnce({ columns: ['name'], total: 2, rows: [] } as never)
    const old = client.fetchQuery(datasetPreviewQuery('csv', 'name\nAda'))
    expect(await client.fetchQuery(datasetPreviewQuery('csv', 'name\nAda\nBo'))).toEqual({
      columns: ['name'],
      total: 2,
    })
    answerOld({ columns: ['name'], total: 1, rows: [] })
    await old
    expect(client.getQueryData(datasetPreviewQuery('csv', 'name\nAda\nBo').queryKey)?.total).toBe(2)
    expect(api.parseDataset).toHaveBeenLastCalledWith('csv', 'name\nAda\nBo')
  })
})

describe('compare slice', () => {
  let store: StoreApi<CompareSlice>
  const s = () => store.getState()
  beforeEach(() => {
    vi.resetAllMocks()
    queryClient.clear()
    store = createStore<CompareSlice>()(createCompareSlice)
  })

  it('a started run is on screen from the gateway’s answer, and the runs list is read again', async () => {
    api.runs.mockResolvedValue({ items: [], total: 0, nextCursor: null })
    await queryClient.fetchQuery(compareRunsQuery())
    api.startMatrix.mockResolvedValueOnce(snapshot(3, true, 0))
    await s().startMatrix({} as never)
    expect(s()).toMatchObject({ openRunId: 3, diffAgainstId: null, matrixError: null })
    expect(queryClient.getQueryData(compareRunQuery(3).queryKey)?.isActive).toBe(true)
    expect(queryClient.getQueryState(compareRunsQuery().queryKey)?.isInvalidated).toBe(true)
    api.cancel.mockResolvedValueOnce({ ...snapshot(3, false, 1), cancelled: true })
    await s().cancelMatrix()
    expect(api.cancel).toHaveBeenCalledWith(3)
    expect(queryClient.getQueryData(compareRunQuery(3).queryKey)?.isActive).toBe(false)
  })

  it('a rating shows in the open run at once', async () => {
    api.startMatrix.mockResolvedValueOnce(snapshot(4, false, 2))
    api.runs.mockResolvedValue({ items: [], total: 0, nextCursor: null })
    await s().startMatrix({} as never)
    vi.mocked(promptsApi.feedback).mockResolvedValueOnce({} as never)
    await s().rateCell({ requestId: 'req_1' }, 'up')
    expect(queryClient.getQueryData(compareRunQuery(4).queryKey)?.cells[0].rating).toBe('up')
  })
})
