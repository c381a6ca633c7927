import type { BackupItem, RestorePreview, RestoreResult } from '../../../src-shared/contract/backups'
import type { ListPage } from '../../../src-shared/contract/common'
import { downloadFile, getJson, sendJson } from './client'

const enc = encodeURIComponent

/** Snapshots of the config and prompts in the gateway's data dir. */
export const backupsApi = {
  list: (signal?: AbortSignal) => getJson<ListPage<BackupItem>>('/admin/v1/backups', signal),
  create: () => sendJson<BackupItem>('POST', '/admin/v1/backups'),
  preview: (id: string, signal?: AbortSignal) =>
    getJson<RestorePreview>(`/admin/v1/backups/${enc(id)}/preview`, signal),
  restore: (id: string) => sendJson<RestoreResult>('POST', `/admin/v1/backups/${enc(id)}/restore`),
  remove: (id: string) => sendJson<null>('DELETE', `/admin/v1/backups/${enc(id)}`),
  /** Saves the backup file under the gateway's file name. */
  download: (id: string) => downloadFile(`/admin/v1/backups/${enc(id)}`),
}
