import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore, type StoreApi } from 'zustand/vanilla'
import { adminApi } from '../api/admin'
import { ApiError } from '../api/client'
import { createRoutesSlice, moveItem, type RoutesSlice, routeDraftErrors } from './routes-slice'

vi.mock('../api/admin', () => ({ adminApi: { routes: vi.fn(), saveRoute: vi.fn(), deleteRoute: vi.fn() } }))
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
  let store: StoreApi<RoutesSlice>
  beforeEach(async () => {
    vi.resetAllMocks()
    store = createStore<RoutesSlice>()(createRoutesSlice)
    api.routes.mockResolvedValue({
      items: [{ name: 'fast', strategy: 'fallback', targets: [{ model: 'a/x' }, { model: 'b/y' }] }],
    })
    await store.getState().loadRoutes()
  })

  it('edits a copy: reorder, add and remove targets without touching the loaded list', () => {
    const s = store.getState()
    s.editRoute('fast')
    s.moveRouteTarget(1, -1)
    s.addRouteTarget('c/z')
    s.removeRouteTarget(1)
    expect(store.getState().routeDraft?.targets.map((t) => t.model)).toEqual(['b/y', 'c/z'])
    expect(store.getState().routeDirty).toBe(true)
    expect(store.getState().routes?.[0].targets.map((t) => t.model)).toEqual(['a/x', 'b/y'])
  })

  it('saves with weights only for the weighted strategy, then refetches', async () => {
    const s = store.getState()
    s.editRoute('fast')
    s.updateRouteTarget(0, { weight: 3 })
    api.saveRoute.mockResolvedValueOnce({} as never)
    expect(await store.getState().saveRouteDraft()).toBe(true)
    expect(api.saveRoute).toHaveBeenLastCalledWith({
      name: 'fast',
      strategy: 'fallback',
      targets: [{ model: 'a/x' }, { model: 'b/y' }],
    })
    store.getState().setRouteStrategy('weighted')
    api.saveRoute.mockResolvedValueOnce({} as never)
    await store.getState().saveRouteDraft()
    expect(api.saveRoute.mock.lastCall?.[0].targets).toEqual([{ model: 'a/x', weight: 3 }, { model: 'b/y' }])
    expect(api.routes).toHaveBeenCalledTimes(3)
    expect(store.getState().routeDirty).toBe(false)
  })

  it('keeps the draft and shows the gateway error when saving fails', async () => {
    store.getState().editRoute('fast')
    store.getState().setRouteStrategy('cheapest')
    api.saveRoute.mockRejectedValueOnce(new ApiError(400, 'routes.fast.targets[0].model: unknown provider "a"'))
    expect(await store.getState().saveRouteDraft()).toBe(false)
    expect(store.getState().routeSaveError).toContain('unknown provider "a"')
    expect(store.getState().routeDraft?.strategy).toBe('cheapest')
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
