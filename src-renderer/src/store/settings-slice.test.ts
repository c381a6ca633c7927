import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore, type StoreApi } from 'zustand/vanilla'
import type { GatewaySettings } from '../../../src-shared/admin-api'
import { adminApi } from '../api/admin'
import { ApiError } from '../api/client'
import { queryClient } from '../api/query-client'
import { saveRetention, settingsKey, settingsQuery } from '../queries/settings'
import { createSettingsSlice, detectConfigFormat, pointerToPath, type SettingsSlice } from './settings-slice'

vi.mock('../api/admin', () => ({
  adminApi: { settings: vi.fn(), saveSettings: vi.fn(), exportConfig: vi.fn(), importConfig: vi.fn() },
}))
vi.mock('../theme/theme', () => ({ applyTheme: vi.fn(), readThemeChoice: () => 'system', storeThemeChoice: vi.fn() }))
const api = vi.mocked(adminApi)

describe('settings slice: config import', () => {
  let store: StoreApi<SettingsSlice>
  beforeEach(() => {
    vi.resetAllMocks()
    store = createStore<SettingsSlice>()(createSettingsSlice)
  })

  it('previews without applying, then applies the same text', async () => {
    const yaml = 'providers:\n  a: { type: openai }\n'
    store.getState().setImportText(yaml)
    api.importConfig.mockResolvedValueOnce({
      valid: true,
      errors: [],
      changes: [{ kind: 'add', section: 'providers', name: 'a' }],
    })
    await store.getState().previewImport()
    expect(api.importConfig).toHaveBeenLastCalledWith({ text: yaml, format: 'yaml', apply: false })
    expect(store.getState().importPreview?.changes).toHaveLength(1)
    queryClient.setQueryData(settingsKey(), {} as GatewaySettings)
    api.importConfig.mockResolvedValueOnce({ valid: true, errors: [], changes: [] })
    await store.getState().applyImport()
    expect(api.importConfig).toHaveBeenLastCalledWith({ text: yaml, format: 'yaml', apply: true })
    expect(store.getState()).toMatchObject({ importApplied: { valid: true }, importPreview: null, importText: '' })
    // The applied config may change anything a page shows: every cached answer is stale.
    expect(queryClient.getQueryState(settingsKey())?.isInvalidated).toBe(true)
  })

  it('never applies an invalid config, and shows its errors by path', async () => {
    store.getState().setImportText('{"providers":{"x":{"type":"nosuch"}}}')
    api.importConfig.mockResolvedValueOnce({
      valid: false,
      errors: [{ path: 'providers.x.type', message: 'must be one of openai, anthropic, …' }],
      changes: [],
    })
    await store.getState().previewImport()
    expect(api.importConfig).toHaveBeenLastCalledWith(expect.objectContaining({ format: 'json', apply: false }))
    await store.getState().applyImport()
    expect(api.importConfig).toHaveBeenCalledTimes(1)
    expect(store.getState().importPreview?.errors[0].path).toBe('providers.x.type')
  })

  it('a changed text drops the old preview; an API failure is a readable message', async () => {
    store.getState().setImportText('a: 1')
    api.importConfig.mockRejectedValueOnce(new ApiError(404, 'no route for POST /admin/v1/config/import'))
    await store.getState().previewImport()
    expect(store.getState().importError).toMatch(/does not offer this yet/)
    store.getState().setImportText('a: 2')
    expect(store.getState().importError).toBeNull()
  })
})

describe('settings queries', () => {
  beforeEach(() => {
    vi.resetAllMocks()
    queryClient.clear()
  })

  it("saving the retention puts the gateway's answer in the settings query", async () => {
    api.settings.mockResolvedValueOnce({ logs: { maxAgeDays: 30 } } as GatewaySettings)
    await queryClient.fetchQuery(settingsQuery())
    api.saveSettings.mockResolvedValueOnce({ logs: { maxAgeDays: null } } as GatewaySettings)
    await saveRetention({ maxAgeDays: null, maxDbMb: null, storeBodies: true })
    expect(api.saveSettings).toHaveBeenCalledWith({ logs: { maxAgeDays: null, maxDbMb: null, storeBodies: true } })
    expect(queryClient.getQueryData(settingsQuery().queryKey)?.logs.maxAgeDays).toBeNull()
    expect(api.settings).toHaveBeenCalledOnce()
  })
})

describe('pointerToPath', () => {
  it('reads a JSON pointer as a dotted path, unescaping ~1 and ~0', () => {
    expect(pointerToPath('/providers/x/type')).toBe('providers.x.type')
    expect(pointerToPath('/pricing/mock~1gpt/input')).toBe('pricing.mock/gpt.input')
    expect(pointerToPath('/')).toBe('')
  })
})

describe('detectConfigFormat', () => {
  it('reads JSON from a leading brace, else YAML', () => {
    expect(detectConfigFormat('  {"a":1}')).toBe('json')
    expect(detectConfigFormat('a: 1')).toBe('yaml')
  })
})
