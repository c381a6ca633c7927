import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore, type StoreApi } from 'zustand/vanilla'
import type { BackupItem, RestorePreview } from '../../../src-shared/admin-api'
import { backupsApi } from '../api/backups'
import { ApiError } from '../api/client'
import { type BackupsSlice, createBackupsSlice } from './backups-slice'

vi.mock('../api/backups', () => ({
  backupsApi: { list: vi.fn(), create: vi.fn(), preview: vi.fn(), restore: vi.fn(), remove: vi.fn() },
}))
const api = vi.mocked(backupsApi)

const item = (id: string, reason: BackupItem['reason'] = 'manual'): BackupItem => ({
  id,
  createdAt: '2026-01-02T03:04:05.000Z',
  reason,
  sizeBytes: 100,
})
const list = (...items: BackupItem[]) => ({ items, total: items.length, nextCursor: null })
const preview = (valid: boolean): RestorePreview => ({
  id: 'b1',
  createdAt: '2026-01-02T03:04:05.000Z',
  reason: 'manual',
  appVersion: '0.1.0',
  valid,
  errors: valid ? [] : [{ path: '/routes', message: 'bad' }],
  changes: [{ kind: 'add', section: 'routes', name: 'fast' }],
  prompts: { added: [], removed: [], changed: ['greet'] },
})

describe('backups slice', () => {
  let store: StoreApi<BackupsSlice>
  beforeEach(() => {
    vi.resetAllMocks()
    store = createStore<BackupsSlice>()(createBackupsSlice)
  })

  it('backs up now and shows the new backup in the list', async () => {
    api.create.mockResolvedValueOnce(item('b2'))
    api.list.mockResolvedValueOnce(list(item('b2'), item('b1', 'daily')))
    await store.getState().createBackup()
    expect(store.getState().backups?.map((b) => b.id)).toEqual(['b2', 'b1'])
    expect(store.getState().backupCreating).toBe(false)
  })

  it('restores only after the preview, then lists the pre-restore snapshot', async () => {
    expect(await store.getState().confirmRestore()).toBe(false)
    api.preview.mockResolvedValueOnce(preview(true))
    await store.getState().openRestore('b1')
    expect(store.getState().restorePreview?.prompts.changed).toEqual(['greet'])

    api.restore.mockRejectedValueOnce(new ApiError(400, 'routes.fast: unknown provider'))
    expect(await store.getState().confirmRestore()).toBe(false)
    expect(store.getState().restoreError).toBe('routes.fast: unknown provider (HTTP 400)')
    expect(store.getState().restoreId).toBe('b1')

    const result = {
      restored: 'b1',
      preRestore: item('b3', 'pre-restore'),
      changes: [],
      missingEnv: [],
      missingSecrets: [],
    }
    api.restore.mockResolvedValueOnce(result)
    api.list.mockResolvedValueOnce(list(item('b3', 'pre-restore'), item('b1')))
    expect(await store.getState().confirmRestore()).toBe(true)
    expect(store.getState()).toMatchObject({ restoring: false, restoreResult: result })
    store.getState().closeRestore()
    expect(store.getState()).toMatchObject({ restoreId: null, restorePreview: null, restoreResult: result })
    expect(store.getState().backups?.[0].reason).toBe('pre-restore')
  })

  it('never restores a backup whose config is invalid', async () => {
    api.preview.mockResolvedValueOnce(preview(false))
    await store.getState().openRestore('b1')
    expect(await store.getState().confirmRestore()).toBe(false)
    expect(api.restore).not.toHaveBeenCalled()
    store.getState().closeRestore()
    expect(store.getState().restoreId).toBeNull()
  })
})
