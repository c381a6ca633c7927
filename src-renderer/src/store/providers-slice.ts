import type { StateCreator } from 'zustand'
import type {
  DiscoveredServer,
  ModelItem,
  ProviderInput,
  ProviderItem,
  ProviderTestResult,
} from '../../../src-shared/admin-api'
import { adminApi, type DiscoveryView } from '../api/admin'
import { errorMessage } from '../api/client'

export interface ProviderTestState {
  pending: boolean
  result: ProviderTestResult | null
  error: string | null
}

export interface ProvidersSlice {
  providers: ProviderItem[] | null
  providersError: string | null
  discovered: DiscoveredServer[] | null
  discoveredError: string | null
  discovering: boolean
  /** No scan has run because discovery at start is off: an empty list means "never looked", not "none". */
  discoveryNeverRan: boolean
  modelItems: ModelItem[] | null
  modelsError: string | null
  providerTests: Record<string, ProviderTestState>
  /** Errors of add/edit/delete, by provider id (`''` for a new one), shown beside that form or card. */
  providerActionErrors: Record<string, string>
  loadProviders(): Promise<void>
  saveProvider(input: ProviderInput, editing: boolean): Promise<boolean>
  deleteProvider(id: string): Promise<void>
  testProvider(id: string): Promise<void>
  rescanLocal(): Promise<void>
  clearProviderError(id: string): void
}

function discoveryState(view: DiscoveryView): Partial<ProvidersSlice> {
  return {
    discovered: view.items,
    discoveredError: null,
    discoveryNeverRan: view.scannedAt === null && view.scanOnStart === false,
  }
}

export const createProvidersSlice: StateCreator<ProvidersSlice, [], [], ProvidersSlice> = (set, get) => {
  const setActionError = (id: string, message: string | null) => {
    const next = { ...get().providerActionErrors }
    if (message === null) delete next[id]
    else next[id] = message
    set({ providerActionErrors: next })
  }
  const setTest = (id: string, state: ProviderTestState) =>
    set({ providerTests: { ...get().providerTests, [id]: state } })

  return {
    providers: null,
    providersError: null,
    discovered: null,
    discoveredError: null,
    discovering: false,
    discoveryNeverRan: false,
    modelItems: null,
    modelsError: null,
    providerTests: {},
    providerActionErrors: {},
    async loadProviders() {
      // Three panels, three independent answers: one failing leaves the others on screen.
      await Promise.all([
        adminApi.providers().then(
          (r) => set({ providers: r.items, providersError: null }),
          (err) => set({ providersError: errorMessage(err) }),
        ),
        adminApi.discovered().then(
          (r) => set(discoveryState(r)),
          (err) => set({ discoveredError: errorMessage(err) }),
        ),
        adminApi.models().then(
          (r) => set({ modelItems: r.items, modelsError: null }),
          (err) => set({ modelsError: errorMessage(err) }),
        ),
      ])
    },
    async saveProvider(input, editing) {
      const key = editing ? input.id : ''
      setActionError(key, null)
      try {
        if (editing) {
          const { id, ...rest } = input
          await adminApi.updateProvider(id, rest)
        } else await adminApi.createProvider(input)
      } catch (err) {
        setActionError(key, errorMessage(err))
        return false
      }
      // Refetch rather than patch: the list, health and model counts come from the gateway.
      await get().loadProviders()
      return true
    },
    async deleteProvider(id) {
      setActionError(id, null)
      try {
        await adminApi.deleteProvider(id)
      } catch (err) {
        setActionError(id, errorMessage(err))
        return
      }
      await get().loadProviders()
    },
    async testProvider(id) {
      setTest(id, { pending: true, result: null, error: null })
      try {
        const result = await adminApi.testProvider(id)
        setTest(id, { pending: false, result, error: null })
        // The card's health comes from the same probe, so the list and the test never disagree.
        const r = await adminApi.providers()
        set({ providers: r.items })
      } catch (err) {
        if (get().providerTests[id]?.pending) setTest(id, { pending: false, result: null, error: errorMessage(err) })
      }
    },
    async rescanLocal() {
      set({ discovering: true })
      try {
        const r = await adminApi.discover()
        set(discoveryState(r?.items ? r : await adminApi.discovered()))
      } catch (err) {
        set({ discoveredError: errorMessage(err) })
      } finally {
        set({ discovering: false })
      }
    },
    clearProviderError: (id) => setActionError(id, null),
  }
}
