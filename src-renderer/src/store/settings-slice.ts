import type { StateCreator } from 'zustand'
import type { ConfigImportResult } from '../../../src-shared/admin-api'
import { adminApi } from '../api/admin'
import { errorMessage } from '../api/client'
import { queryClient } from '../api/query-client'
import { applyTheme, readThemeChoice, storeThemeChoice, type ThemeChoice } from '../theme/theme'

export type ExportFormat = 'yaml' | 'json'
export type ExportSecrets = 'refs' | 'omit'

/** A JSON pointer into the config (`/providers/x/type`) as people write it (`providers.x.type`). */
export function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.')
}

/** A pasted or loaded config's format, from its first non-blank character. */
export function detectConfigFormat(text: string): ExportFormat {
  const first = text.trimStart()[0]
  return first === '{' ? 'json' : 'yaml'
}

/** The theme and the import in progress (the settings themselves are the query `settingsQuery`). */
export interface SettingsSlice {
  theme: ThemeChoice
  importText: string
  /** The dry run's answer for `importText`; cleared whenever the text changes. */
  importPreview: ConfigImportResult | null
  importError: string | null
  importBusy: boolean
  /** The answer to the last Apply: what changed and which references this machine cannot resolve. */
  importApplied: ConfigImportResult | null
  setTheme(theme: ThemeChoice): void
  setImportText(text: string): void
  previewImport(): Promise<void>
  applyImport(): Promise<void>
  cancelImport(): void
}

export const createSettingsSlice: StateCreator<SettingsSlice, [], [], SettingsSlice> = (set, get) => ({
  theme: readThemeChoice(),
  importText: '',
  importPreview: null,
  importError: null,
  importBusy: false,
  importApplied: null,
  setTheme(theme) {
    storeThemeChoice(theme)
    applyTheme(theme)
    set({ theme })
  },
  setImportText: (importText) => set({ importText, importPreview: null, importError: null, importApplied: null }),
  async previewImport() {
    const text = get().importText
    if (!text.trim()) {
      set({ importError: 'Paste a config or choose a file first.' })
      return
    }
    set({ importBusy: true, importError: null, importPreview: null, importApplied: null })
    try {
      const importPreview = await adminApi.importConfig({ text, format: detectConfigFormat(text), apply: false })
      if (get().importText === text) set({ importPreview })
    } catch (err) {
      set({ importError: errorMessage(err) })
    } finally {
      set({ importBusy: false })
    }
  },
  async applyImport() {
    const { importText: text, importPreview } = get()
    if (!importPreview?.valid) return
    set({ importBusy: true, importError: null })
    try {
      const result = await adminApi.importConfig({ text, format: detectConfigFormat(text), apply: true })
      if (result.valid) {
        set({ importApplied: result, importPreview: null, importText: '' })
        // An applied config may change any provider, route, key, policy or setting on screen.
        void queryClient.invalidateQueries()
      } else set({ importPreview: result })
    } catch (err) {
      set({ importError: errorMessage(err) })
    } finally {
      set({ importBusy: false })
    }
  },
  cancelImport: () => set({ importPreview: null, importError: null }),
})
