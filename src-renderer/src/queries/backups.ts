import { queryOptions } from '@tanstack/react-query'
import type { BackupItem, RestorePreview, RestoreResult } from '../../../src-shared/admin-api'
import { backupsApi } from '../api/backups'
import { queryClient } from '../api/query-client'

export const backupsKey = () => ['backups', 'list'] as const
export const restorePreviewKey = (id: string) => ['backups', 'preview', id] as const

/** The snapshots in the gateway's data dir, newest first. */
export const backupsQuery = () =>
  queryOptions({ queryKey: backupsKey(), queryFn: async ({ signal }) => (await backupsApi.list(signal)).items })

/** What restoring a backup would change, against the config as it is now: read each time the dialog opens. */
export const restorePreviewQuery = (id: string) =>
  queryOptions({
    queryKey: restorePreviewKey(id),
    queryFn: ({ signal }) => backupsApi.preview(id, signal),
    staleTime: 0,
    gcTime: 0,
  })

/** A backup on demand; the list is read again so it shows. */
export async function createBackup(): Promise<BackupItem> {
  const created = await backupsApi.create()
  await queryClient.invalidateQueries({ queryKey: backupsKey() })
  return created
}

export async function deleteBackup(id: string): Promise<void> {
  await backupsApi.remove(id)
  await queryClient.invalidateQueries({ queryKey: backupsKey() })
}

/**
 * Restores the backup a preview was read for, and only when that preview found its config valid. The running
 * gateway switches to its config and prompt library at once, so every list the pages hold (providers, routes,
 * keys, prompts, the backups with their new pre-restore snapshot) is stale.
 */
export async function restoreBackup(preview: RestorePreview): Promise<RestoreResult> {
  if (!preview.valid) throw new Error("This backup's config is not valid: it is not restored.")
  const result = await backupsApi.restore(preview.id)
  await queryClient.invalidateQueries()
  return result
}
