import type { StateCreator } from 'zustand'
import type { RouteItem, RouteStrategy, RouteTarget } from '../../../src-shared/admin-api'
import { errorMessage } from '../api/client'
import { deleteRoute, saveRoute } from '../queries/routes'

/** A copy of `list` with the item at `from` moved by `by` places, clamped to the ends. */
export function moveItem<T>(list: T[], from: number, by: number): T[] {
  const to = Math.min(list.length - 1, Math.max(0, from + by))
  if (to === from) return list
  const next = [...list]
  const [item] = next.splice(from, 1)
  next.splice(to, 0, item)
  return next
}

/** Problems that would make the gateway refuse the route, by field, checked before saving. */
export function routeDraftErrors(
  draft: Pick<RouteItem, 'name' | 'targets'>,
  existing: string[],
  isNew: boolean,
): Record<string, string> {
  const errors: Record<string, string> = {}
  if (!draft.name.trim()) errors.name = 'Give the route a name.'
  else if (isNew && existing.includes(draft.name.trim())) errors.name = `A route named "${draft.name}" exists.`
  if (draft.targets.length === 0) errors.targets = 'Add at least one target.'
  draft.targets.forEach((t, i) => {
    if (!t.model.trim()) errors[`targets.${i}`] = 'Choose a model for this target.'
  })
  return errors
}

/** The route being edited (the list itself is the query `routesQuery`). */
export interface RoutesSlice {
  routeDraft: RouteItem | null
  routeDraftIsNew: boolean
  routeDirty: boolean
  routeSaving: boolean
  routeSaveError: string | null
  editRoute(route: RouteItem): void
  newRoute(): void
  setRouteName(name: string): void
  setRouteStrategy(strategy: RouteStrategy): void
  addRouteTarget(model: string): void
  removeRouteTarget(index: number): void
  moveRouteTarget(index: number, by: number): void
  updateRouteTarget(index: number, patch: Partial<RouteTarget>): void
  discardRouteDraft(): void
  saveRouteDraft(): Promise<boolean>
  deleteRoute(name: string): Promise<void>
}

export const createRoutesSlice: StateCreator<RoutesSlice, [], [], RoutesSlice> = (set, get) => {
  const patchDraft = (patch: Partial<RouteItem>) => {
    const d = get().routeDraft
    if (d) set({ routeDraft: { ...d, ...patch }, routeDirty: true, routeSaveError: null })
  }
  return {
    routeDraft: null,
    routeDraftIsNew: false,
    routeDirty: false,
    routeSaving: false,
    routeSaveError: null,
    editRoute(route) {
      set({
        routeDraft: { ...route, strategy: route.strategy ?? 'fallback', targets: route.targets.map((t) => ({ ...t })) },
        routeDraftIsNew: false,
        routeDirty: false,
        routeSaveError: null,
      })
    },
    newRoute: () =>
      set({
        routeDraft: { name: '', strategy: 'fallback', targets: [] },
        routeDraftIsNew: true,
        routeDirty: false,
        routeSaveError: null,
      }),
    setRouteName: (name) => patchDraft({ name }),
    setRouteStrategy: (strategy) => patchDraft({ strategy }),
    addRouteTarget(model) {
      const d = get().routeDraft
      if (d) patchDraft({ targets: [...d.targets, { model }] })
    },
    removeRouteTarget(index) {
      const d = get().routeDraft
      if (d) patchDraft({ targets: d.targets.filter((_, i) => i !== index) })
    },
    moveRouteTarget(index, by) {
      const d = get().routeDraft
      if (d) patchDraft({ targets: moveItem(d.targets, index, by) })
    },
    updateRouteTarget(index, patch) {
      const d = get().routeDraft
      if (d) patchDraft({ targets: d.targets.map((t, i) => (i === index ? { ...t, ...patch } : t)) })
    },
    discardRouteDraft: () => set({ routeDraft: null, routeDirty: false, routeSaveError: null }),
    async saveRouteDraft() {
      const d = get().routeDraft
      if (!d) return false
      set({ routeSaving: true, routeSaveError: null })
      try {
        // Weights mean something only to the weighted strategy; other strategies would carry them silently.
        const targets = d.targets.map(({ weight, ...t }) =>
          d.strategy === 'weighted' && weight !== undefined ? { ...t, weight } : t,
        )
        await saveRoute({ ...d, name: d.name.trim(), targets })
        set({ routeSaving: false, routeDirty: false, routeDraftIsNew: false })
        return true
      } catch (err) {
        set({ routeSaving: false, routeSaveError: errorMessage(err) })
        return false
      }
    },
    async deleteRoute(name) {
      set({ routeSaveError: null })
      try {
        await deleteRoute(name)
        set({ routeDraft: null, routeDirty: false })
      } catch (err) {
        set({ routeSaveError: errorMessage(err) })
      }
    },
  }
}
