import { QueryClient } from '@tanstack/react-query'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { ProviderItem } from '../../../src-shared/admin-api'
import { adminApi } from '../api/admin'
import { ApiError } from '../api/client'
import { queryClient } from '../api/query-client'
import {
  deleteProvider,
  discoveredKey,
  discoveredQuery,
  discoveryNeverRan,
  modelItemsQuery,
  providersKey,
  providersQuery,
  rescanLocal,
  saveProvider,
  testProvider,
} from './providers'

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

describe('provider queries', () => {
  beforeEach(() => {
    vi.resetAllMocks()
    queryClient.clear()
    api.providers.mockResolvedValue({ items: [provider({ id: 'mock' })] })
    api.discovered.mockResolvedValue({ items: [], scannedAt: '2026-01-01T00:00:00Z', scanOnStart: true })
    api.models.mockResolvedValue({ items: [] })
  })

  it('three panels, three queries: one failing leaves the others loaded', async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } })
    api.discovered.mockRejectedValueOnce(new ApiError(404, 'no route for GET /admin/v1/providers/discovered'))
    const [list, discovered, models] = await Promise.allSettled([
      client.fetchQuery(providersQuery()),
      client.fetchQuery(discoveredQuery()),
      client.fetchQuery(modelItemsQuery()),
    ])
    expect(list).toMatchObject({ status: 'fulfilled', value: [{ id: 'mock' }] })
    expect(models).toMatchObject({ status: 'fulfilled', value: [] })
    expect(discovered.status).toBe('rejected')
    expect(api.providers.mock.calls[0][0]).toBeInstanceOf(AbortSignal)
  })

  it('tells "never looked" (discovery at start off) from "looked and found none"', async () => {
    expect(discoveryNeverRan({ items: [], scannedAt: '2026-01-01T00:00:00Z', scanOnStart: true })).toBe(false)
    expect(discoveryNeverRan({ items: [], scannedAt: null, scanOnStart: false })).toBe(true)
    api.discover.mockResolvedValueOnce({ items: [], scannedAt: '2026-01-01T00:00:00Z', scanOnStart: false })
    await rescanLocal()
    expect(discoveryNeverRan(queryClient.getQueryData(discoveredKey())!)).toBe(false)
  })

  it('a rescan on a gateway that answers without the result reads the list after it', async () => {
    api.discover.mockResolvedValueOnce(null)
    expect(await rescanLocal()).toMatchObject({ scanOnStart: true })
    expect(api.discovered).toHaveBeenCalledOnce()
  })

  it('a failed add throws its error for the form; a good one refetches the list and the models', async () => {
    await queryClient.fetchQuery(providersQuery())
    await queryClient.fetchQuery(modelItemsQuery())
    api.createProvider.mockRejectedValueOnce(new ApiError(409, 'provider "mock" exists'))
    await expect(saveProvider({ id: 'mock', type: 'openai' }, false)).rejects.toThrow('provider "mock" exists')
    expect(queryClient.getQueryState(providersKey())?.isInvalidated).toBe(false)
    api.createProvider.mockResolvedValueOnce(provider({ id: 'two' }))
    await saveProvider({ id: 'two', type: 'openai', apiKey: 'sk-1' }, false)
    expect(queryClient.getQueryState(providersKey())?.isInvalidated).toBe(true)
    expect(queryClient.getQueryState(['models', 'items'])?.isInvalidated).toBe(true)
  })

  it('edits go to PUT without the id in the body; a delete refreshes the list', async () => {
    api.updateProvider.mockResolvedValueOnce(provider({}))
    await saveProvider({ id: 'mock', type: 'ollama', baseUrl: 'http://127.0.0.1:11434' }, true)
    expect(api.updateProvider).toHaveBeenCalledWith('mock', { type: 'ollama', baseUrl: 'http://127.0.0.1:11434' })
    await queryClient.fetchQuery(providersQuery())
    api.deleteProvider.mockResolvedValueOnce(null)
    await deleteProvider('mock')
    expect(api.deleteProvider).toHaveBeenCalledWith('mock')
    expect(queryClient.getQueryState(providersKey())?.isInvalidated).toBe(true)
  })

  it('a test answers with its result, and the list is read again for the health the probe set', async () => {
    await queryClient.fetchQuery(providersQuery())
    api.testProvider.mockResolvedValueOnce({ ok: false, latencyMs: 12, models: [], error: '401 bad key' })
    expect(await testProvider('mock')).toEqual({ ok: false, latencyMs: 12, models: [], error: '401 bad key' })
    expect(queryClient.getQueryState(providersKey())?.isInvalidated).toBe(true)
  })
})
