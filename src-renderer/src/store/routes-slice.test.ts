import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore, type StoreApi } from 'zustand/vanilla'
import type { RouteItem } from '../../../src-shared/admin-api'
import { adminApi } from '../api/admin'
import { ApiError } from '../api/client'
import { queryClient } from '../api/query-client'
import { routesQuery } from '../queries/routes'
import { createRoutesSlice, moveItem, type RoutesSlice, routeDraftErrors } from './routes-slice'

vi.mock('../api/admin', () => ({
  adminApi: { routes: vi.fn(), saveRoute: vi.fn(), deleteRoute: vi.fn() },
  openaiModels: vi.fn(),
}))
const api = vi.mocked(adminApi)

describe('moveItem', () => {
  it('moves by places and clamps at the ends', () => {
    expect(moveItem(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b'])
    expect(moveItem(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c'])
    const same = ['a', 'b']
    expect(moveItem(same, 0, -1)).toBe(same)
  })
})

describe('routes slice', () => {
  const fast: RouteItem = { name: 'fast', strategy: 'fallback', targets: [{ model: 'a/x' }, { model: 'b/y' }] }
  let store: StoreApi<RoutesSlice>
  beforeEach(async () => {
    vi.resetAllMocks()
    queryClient.clear()
    store = createStore<RoutesSlice>()(createRoutesSlice)
    api.routes.mockResolvedValue({ items: [fast] })
    await queryClient.fetchQuery(routesQuery())
  })

  it('edits a copy: reorder, add and remove targets without touching the loaded list', () => {
    const s = store.getState()
    s.editRoute(queryClient.getQueryData(routesQuery().queryKey)![0])
    s.moveRouteTarget(1, -1)
    s.addRouteTarget('c/z')
    s.removeRouteTarget(1)
    expect(store.getState().routeDraft?.targets.map((t) => t.model)).toEqual(['b/y', 'c/z'])
    expect(store.getState().routeDirty).toBe(true)
    expect(queryClient.getQueryData(routesQuery().queryKey)?.[0].targets.map((t) => t.model)).toEqual(['a/x', 'b/y'])
  })

  it('saves with weights only for the weighted strategy, and lists what the gateway answered', async () => {
    const s = store.getState()
    s.editRoute(fast)
    s.updateRouteTarget(0, { weight: 3 })
    api.saveRoute.mockImplementation(async (r) => r)
    expect(await store.getState().saveRouteDraft()).toBe(true)
    expect(api.saveRoute).toHaveBeenLastCalledWith({
      name: 'fast',
      strategy: 'fallback',
      targets: [{ model: 'a/x' }, { model: 'b/y' }],
    })
    store.getState().setRouteStrategy('weighted')
    await store.getState().saveRouteDraft()
    expect(api.saveRoute.mock.lastCall?.[0].targets).toEqual([{ model: 'a/x', weight: 3 }, { model: 'b/y' }])
    expect(queryClient.getQueryData(routesQuery().queryKey)).toEqual([
      { name: 'fast', strategy: 'weighted', targets: [{ model: 'a/x', weight: 3 }, { model: 'b/y' }] },
    ])
    // The answer is the list's new entry: no second read of the list.
    expect(api.routes).toHaveBeenCalledOnce()
    expect(store.getState().routeDirty).toBe(false)
  })

  it('a new route joins the list; a deleted one leaves it', async () => {
    store.getState().newRoute()
    store.getState().setRouteName('cheap ')
    store.getState().addRouteTarget('c/z')
    api.saveRoute.mockImplementation(async (r) => r)
    expect(await store.getState().saveRouteDraft()).toBe(true)
    expect(queryClient.getQueryData(routesQuery().queryKey)?.map((r) => r.name)).toEqual(['fast', 'cheap'])
    api.deleteRoute.mockResolvedValueOnce(null)
    await store.getState().deleteRoute('fast')
    expect(queryClient.getQueryData(routesQuery().queryKey)?.map((r) => r.name)).toEqual(['cheap'])
    expect(store.getState().routeDraft).toBeNull()
  })

  it('keeps the draft and shows the gateway error when saving fails', async () => {
    store.getState().editRoute(fast)
    store.getState().setRouteStrategy('cheapest')
    api.saveRoute.mockRejectedValueOnce(new ApiError(400, 'routes.fast.targets[0].model: unknown provider "a"'))
    expect(await store.getState().saveRouteDraft()).toBe(false)
    expect(store.getState().routeSaveError).toContain('unknown provider "a"')
    expect(store.getState().routeDraft?.strategy).toBe('cheapest')
    expect(queryClient.getQueryData(routesQuery().queryKey)).toEqual([fast])
  })
})

describe('routeDraftErrors', () => {
  it('names the field of each problem', () => {
    expect(routeDraftErrors({ name: 'fast', targets: [{ model: '' }] }, ['fast'], true)).toEqual({
      name: 'A route named "fast" exists.',
      'targets.0': 'Choose a model for this target.',
    })
    expect(routeDraftErrors({ name: ' ', targets: [] }, [], true)).toEqual({
      name: 'Give the route a name.',
      targets: 'Add at least one target.',
    })
  })
})
