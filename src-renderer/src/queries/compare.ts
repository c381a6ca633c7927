import { queryOptions } from '@tanstack/react-query'
import { compareApi, type RunSnapshot } from '../api/prompts'
import { queryClient } from '../api/query-client'

export const compareRunsKey = () => ['compare', 'runs'] as const
export const compareRunKey = (id: number) => ['compare', 'run', id] as const

/** How often a run still in progress is read again: its cells fill in as the gateway answers them. */
export const RUN_POLL_MS = 400

/** The latest comparison runs (side by side, matrix, replay), for labels and the "vs run" picker. */
export const compareRunsQuery = () =>
  queryOptions({
    queryKey: compareRunsKey(),
    queryFn: async ({ signal }) => (await compareApi.runs(undefined, signal)).items,
  })

/**
 * One run with its rows, columns, cells and progress. While it runs, it is read again every RUN_POLL_MS
 * (TanStack never starts a read while the last one is out), and the poll stops by itself once it is done.
 */
export const compareRunQuery = (id: number) =>
  queryOptions({
    queryKey: compareRunKey(id),
    queryFn: ({ signal }) => compareApi.run(id, signal),
    refetchInterval: (query) => (query.state.data?.isActive ? RUN_POLL_MS : false),
    staleTime: 0,
  })

export const runDiffQuery = (id: number, against: number) =>
  queryOptions({
    queryKey: [...compareRunKey(id), 'diff', against] as const,
    queryFn: ({ signal }) => compareApi.diff(id, against, signal),
  })

/** A run the gateway just answered with (started, cancelled, re-run): its snapshot is the cache's. */
export function putRun(run: RunSnapshot): void {
  queryClient.setQueryData(compareRunKey(run.id), run)
}

/** A run finished or started: the runs list (labels, the "vs run" picker) is read again. */
export function runsChanged(): Promise<void> {
  return queryClient.invalidateQueries({ queryKey: compareRunsKey() })
}

/**
 * A dataset as the gateway parses it (columns and row count). Parsing changes nothing, so it is a read keyed
 * by the text: an older text's late answer is never shown for a newer one.
 */
export const datasetPreviewQuery = (format: 'csv' | 'jsonl', text: string) =>
  queryOptions({
    queryKey: ['compare', 'dataset', format, text] as const,
    queryFn: async () => {
      const { columns, total } = await compareApi.parseDataset(format, text)
      return { columns, total }
    },
  })
