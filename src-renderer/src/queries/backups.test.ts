import { QueryObserver } from '@tanstack/react-query'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { BackupItem, RestorePreview } from '../../../src-shared/admin-api'
import { backupsApi } from '../api/backups'
import { ApiError } from '../api/client'
import { queryClient } from '../api/query-client'
import { backupsKey, backupsQuery, createBackup, restoreBackup, restorePreviewQuery } from './backups'

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

describe('backups queries', () => {
  /** The Backups section on screen: its list is active, so a change reads it again at once. */
  const onScreen = async () => {
    const observer = new QueryObserver(queryClient, backupsQuery())
    const stop = observer.subscribe(() => {})
    await vi.waitFor(() => expect(observer.getCurrentResult().isSuccess).toBe(true))
    return stop
  }
  beforeEach(() => {
    vi.resetAllMocks()
    queryClient.clear()
  })

  it('backs up now and shows the new backup in the list', async () => {
    api.list.mockResolvedValueOnce(list(item('b1', 'daily')))
    const stop = await onScreen()
    api.create.mockResolvedValueOnce(item('b2'))
    api.list.mockResolvedValueOnce(list(item('b2'), item('b1', 'daily')))
    await createBackup()
    expect(queryClient.getQueryData<BackupItem[]>(backupsKey())?.map((b) => b.id)).toEqual(['b2', 'b1'])
    stop()
  })

  it('restores the backup a valid preview was read for, then lists the pre-restore snapshot', async () => {
    api.list.mockResolvedValueOnce(list(item('b1')))
    const stop = await onScreen()
    api.preview.mockResolvedValueOnce(preview(true))
    const checked = await queryClient.fetchQuery(restorePreviewQuery('b1'))
    expect(checked.prompts.changed).toEqual(['greet'])

    api.restore.mockRejectedValueOnce(new ApiError(400, 'routes.fast: unknown provider'))
    await expect(restoreBackup(checked)).rejects.toThrow('routes.fast: unknown provider')

    const result = {
      restored: 'b1',
      preRestore: item('b3', 'pre-restore'),
      changes: [],
      missingEnv: [],
      missingSecrets: [],
    }
    api.restore.mockResolvedValueOnce(result)
    api.list.mockResolvedValueOnce(list(item('b3', 'pre-restore'), item('b1')))
    expect(await restoreBackup(checked)).toEqual(result)
    expect(api.restore).toHaveBeenLastCalledWith('b1')
    expect(queryClient.getQueryData<BackupItem[]>(backupsKey())?.[0]?.reason).toBe('pre-restore')
    stop()
  })

  it('never restores a backup whose config is invalid', async () => {
    await expect(restoreBackup(preview(false))).rejects.toThrow('not valid')
    expect(api.restore).not.toHaveBeenCalled()
  })
})
