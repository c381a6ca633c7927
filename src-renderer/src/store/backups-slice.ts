import type { StateCreator } from 'zustand'
import type { BackupItem, RestorePreview, RestoreResult } from '../../../src-shared/admin-api'
import { backupsApi } from '../api/backups'
import { errorMessage } from '../api/client'

export interface BackupsSlice {
  backups: BackupItem[] | null
  backupsError: string | null
  backupCreating: boolean
  /** The error of the last Back up now, Delete or Restore, shown beside the list. */
  backupActionError: string | null
  /** The backup whose Restore dialog is open, and what restoring it would change once loaded. */
  restoreId: string | null
  restorePreview: RestorePreview | null
  restoring: boolean
  restoreError: string | null
  /** The answer to the last restore: kept to say what happened and where the state before went. */
  restoreResult: RestoreResult | null
  loadBackups(): Promise<void>
  createBackup(): Promise<void>
  deleteBackup(id: string): Promise<void>
  openRestore(id: string): Promise<void>
  confirmRestore(): Promise<boolean>
  closeRestore(): void
}

export const createBackupsSlice: StateCreator<BackupsSlice, [], [], BackupsSlice> = (set, get) => ({
  backups: null,
  backupsError: null,
  backupCreating: false,
  backupActionError: null,
  restoreId: null,
  restorePreview: null,
  restoring: false,
  restoreError: null,
  restoreResult: null,
  async loadBackups() {
    try {
      set({ backups: (await backupsApi.list()).items, backupsError: null })
    } catch (err) {
      set({ backupsError: errorMessage(err) })
    }
  },
  async createBackup() {
    set({ backupCreating: true, backupActionError: null, restoreResult: null })
    try {
      await backupsApi.create()
      await get().loadBackups()
    } catch (err) {
      set({ backupActionError: errorMessage(err) })
    } finally {
      set({ backupCreating: false })
    }
  },
  async deleteBackup(id) {
    set({ backupActionError: null })
    try {
      await backupsApi.remove(id)
      await get().loadBackups()
    } catch (err) {
      set({ backupActionError: errorMessage(err) })
    }
  },
  async openRestore(id) {
    set({ restoreId: id, restorePreview: null, restoreError: null, restoreResult: null })
    try {
      const preview = await backupsApi.preview(id)
      if (get().restoreId === id) set({ restorePreview: preview })
    } catch (err) {
      if (get().restoreId === id) set({ restoreError: errorMessage(err) })
    }
  },
  async confirmRestore() {
    const id = get().restoreId
    if (!id || !get().restorePreview?.valid) return false
    set({ restoring: true, restoreError: null })
    try {
      const restoreResult = await backupsApi.restore(id)
      // The dialog stays open until the view closes it, so focus goes back where it came from.
      set({ restoring: false, restoreResult })
      // The restore added a pre-restore snapshot.
      await get().loadBackups()
      return true
    } catch (err) {
      set({ restoring: false, restoreError: errorMessage(err) })
      return false
    }
  },
  closeRestore: () => set({ restoreId: null, restorePreview: null, restoreError: null }),
})
