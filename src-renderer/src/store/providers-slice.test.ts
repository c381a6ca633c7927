import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore, type StoreApi } from 'zustand/vanilla'
import type { ProviderItem } from '../../../src-shared/admin-api'
import { adminApi } from '../api/admin'
import { ApiError } from '../api/client'
import { createProvidersSlice, type ProvidersSlice } from './providers-slice'

vi.mock('../api/admin', () => ({
  adminApi: {
    providers: vi.fn(),
    discovered: vi.fn(),
    models: vi.fn(),
    createProvider: vi.fn(),
    updateProvider: vi.fn(),
    deleteProvider: vi.fn(),
    testProvider: vi.fn(),
    discover: vi.fn(),
  },
}))
const api = vi.mocked(adminApi)
const provider = (p: Partial<ProviderItem>) => ({ id: 'p', health: 'ok', circuit: 'closed', ...p }) as ProviderItem

describe('providers slice', () => {
  let store: StoreApi<ProvidersSlice>
  beforeEach(() => {
    vi.resetAllMocks()
    store = createStore<ProvidersSlice>()(createProvidersSlice)
    api.providers.mockResolvedValue({ items: [provider({ id: 'mock' })] })
    api.discovered.mockResolvedValue({ items: [], scannedAt: '2026-01-01T00:00:00Z', scanOnStart: true })
    api.models.mockResolvedValue({ items: [] })
  })

  it('one failing panel leaves the others loaded', async () => {
    api.discovered.mockRejectedValueOnce(new ApiError(404, 'no route for GET /admin/v1/providers/discovered'))
    await store.getState().loadProviders()
    expect(store.getState().providers?.map((p) => p.id)).toEqual(['mock'])
    expect(store.getState().modelItems).toEqual([])
    expect(store.getState().discoveredError).toMatch(/does not offer this yet/)
  })

  it('tells "never looked" (discovery at start off) from "looked and found none"', async () => {
    await store.getState().loadProviders()
    expect(store.getState()).toMatchObject({ discovered: [], discoveryNeverRan: false })
    api.discovered.mockResolvedValueOnce({ items: [], scannedAt: null, scanOnStart: false })
    await store.getState().loadProviders()
    expect(store.getState().discoveryNeverRan).toBe(true)
    api.discover.mockResolvedValueOnce({ items: [], scannedAt: '2026-01-01T00:00:00Z', scanOnStart: false })
    await store.getState().rescanLocal()
    expect(store.getState().discoveryNeverRan).toBe(false)
  })

  it('a failed add keeps its error for the form; a good one refetches the list', async () => {
    api.createProvider.mockRejectedValueOnce(new ApiError(409, 'provider "mock" exists'))
    expect(await store.getState().saveProvider({ id: 'mock', type: 'openai' }, false)).toBe(false)
    expect(store.getState().providerActionErrors['']).toBe('provider "mock" exists (HTTP 409)')
    api.createProvider.mockResolvedValueOnce(provider({ id: 'two' }))
    api.providers.mockResolvedValueOnce({ items: [provider({ id: 'mock' }), provider({ id: 'two' })] })
    expect(await store.getState().saveProvider({ id: 'two', type: 'openai', apiKey: 'sk-1' }, false)).toBe(true)
    expect(store.getState().providerActionErrors).toEqual({})
    expect(store.getState().providers?.map((p) => p.id)).toEqual(['mock', 'two'])
  })

  it('edits go to PUT without the id in the body', async () => {
    api.updateProvider.mockResolvedValueOnce(provider({}))
    await store.getState().saveProvider({ id: 'mock', type: 'ollama', baseUrl: 'http://127.0.0.1:11434' }, true)
    expect(api.updateProvider).toHaveBeenCalledWith('mock', { type: 'ollama', baseUrl: 'http://127.0.0.1:11434' })
  })

  it('a test result belongs to its provider only, and the list is refreshed from the same probe', async () => {
    api.testProvider.mockResolvedValueOnce({ ok: false, latencyMs: 12, models: [], error: '401 bad key' })
    api.providers.mockResolvedValueOnce({ items: [provider({ id: 'mock', health: 'error' })] })
    await store.getState().testProvider('mock')
    expect(store.getState().providerTests).toEqual({
      mock: { pending: false, result: { ok: false, latencyMs: 12, models: [], error: '401 bad key' }, error: null },
    })
    expect(store.getState().providers![0].health).toBe('error')
  })
})
