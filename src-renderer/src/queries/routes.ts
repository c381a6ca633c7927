import { queryOptions } from '@tanstack/react-query'
import type { RouteItem } from '../../../src-shared/admin-api'
import { adminApi } from '../api/admin'
import { queryClient } from '../api/query-client'
import { modelIdsKey } from './models'

export const routesKey = () => ['routes', 'list'] as const

export const routesQuery = () =>
  queryOptions({
    queryKey: routesKey(),
    queryFn: async ({ signal }) => (await adminApi.routes(signal)).items,
  })

/** Saves a route (added or edited) and puts the gateway's answer in the list; a new name is a new model to pick. */
export async function saveRoute(route: RouteItem): Promise<RouteItem> {
  const saved = await adminApi.saveRoute(route)
  queryClient.setQueryData(routesKey(), (list: RouteItem[] | undefined) =>
    list?.some((r) => r.name === saved.name)
      ? list.map((r) => (r.name === saved.name ? saved : r))
      : list && [...list, saved],
  )
  void queryClient.invalidateQueries({ queryKey: modelIdsKey() })
  return saved
}

export async function deleteRoute(name: string): Promise<void> {
  await adminApi.deleteRoute(name)
  queryClient.setQueryData(routesKey(), (list: RouteItem[] | undefined) => list?.filter((r) => r.name !== name))
  void queryClient.invalidateQueries({ queryKey: modelIdsKey() })
}
