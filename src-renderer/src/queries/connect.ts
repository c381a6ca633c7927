import { queryOptions } from '@tanstack/react-query'
import { adminApi } from '../api/admin'

export const latestRequestKey = () => ['connect', 'latest-request'] as const

/** The newest row of the request log (null: none yet), which Connect's test waits to see change. */
export const latestRequestQuery = () =>
  queryOptions({
    queryKey: latestRequestKey(),
    queryFn: async () => (await adminApi.logs({}, { limit: 1 })).items[0] ?? null,
  })
