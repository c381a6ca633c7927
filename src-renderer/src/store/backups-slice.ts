import type { StateCreator } from 'zustand'

/** Which backup's Restore dialog is open; the list, the preview and the restore are queries/backups.ts. */
export interface BackupsSlice {
  restoreId: string | null
  openRestore(id: string): void
  closeRestore(): void
}

export const createBackupsSlice: StateCreator<BackupsSlice, [], [], BackupsSlice> = (set) => ({
  restoreId: null,
  openRestore: (restoreId) => set({ restoreId }),
  closeRestore: () => set({ restoreId: null }),
})
