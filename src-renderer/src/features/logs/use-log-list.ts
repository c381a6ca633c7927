import { useInfiniteQuery } from '@tanstack/react-query'
import { useMemo } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { errorMessage } from '../../api/client'
import { type LogList, logListOf, logListQuery } from '../../queries/logs'
import { useAppStore } from '../../store'

export interface LogListView extends LogList {
  loading: boolean
  error: string | null
  /** The next page, unless one is out already. */
  loadMore(): void
  retry(): void
}

/** The rows for the filters in effect, as the table, the export and the keyboard read them. */
export function useLogList(enabled = true): LogListView {
  const filters = useAppStore(useShallow((s) => s.logFilters))
  const query = useInfiniteQuery({ ...logListQuery(filters), enabled })
  const list = useMemo(() => logListOf(query.data), [query.data])
  return {
    ...list,
    loading: query.isFetching,
    error: query.error ? errorMessage(query.error) : null,
    loadMore: () => {
      if (!query.isFetching) void query.fetchNextPage({ cancelRefetch: false })
    },
    retry: () => void query.refetch({ cancelRefetch: false }),
  }
}
