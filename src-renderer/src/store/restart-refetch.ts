import type { BackupsSlice } from './backups-slice'
import type { PromptsSlice } from './prompts-slice'
import type { SettingsSlice } from './settings-slice'

type Lists = Pick<BackupsSlice, 'backups' | 'loadBackups'> &
  Pick<SettingsSlice, 'settings' | 'loadSettings'> &
  Pick<PromptsSlice, 'loadPrompts'>

/**
 * A restarted gateway may hold other keys, providers, routes and models than the ones on screen (a
 * config edited while it was down, secrets it could not read): reload every list a page has already
 * loaded. Lists never opened stay unloaded; their page fetches them when it opens. The model pickers
 * and the prompt list are cheap and read by several pages, so they always reload.
 */
export function refetchAfterRestart(s: Lists): void {
  if (s.backups !== null) void s.loadBackups()
  if (s.settings !== null) void s.loadSettings()
  void s.loadPrompts()
}
