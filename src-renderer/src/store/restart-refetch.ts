import type { BackupsSlice } from './backups-slice'
import type { CompareSlice } from './compare-slice'
import type { KeysSlice } from './keys-slice'
import type { PlaygroundSlice } from './playground-slice'
import type { PromptsSlice } from './prompts-slice'
import type { ProvidersSlice } from './providers-slice'
import type { RoutesSlice } from './routes-slice'
import type { SettingsSlice } from './settings-slice'

type Lists = Pick<KeysSlice, 'keys' | 'loadKeys'> &
  Pick<ProvidersSlice, 'providers' | 'loadProviders'> &
  Pick<RoutesSlice, 'routes' | 'loadRoutes'> &
  Pick<BackupsSlice, 'backups' | 'loadBackups'> &
  Pick<SettingsSlice, 'settings' | 'loadSettings'> &
  Pick<PlaygroundSlice, 'loadPlaygroundModels'> &
  Pick<PromptsSlice, 'loadPrompts'> &
  Pick<CompareSlice, 'loadCompareModels'>

/**
 * A restarted gateway may hold other keys, providers, routes and models than the ones on screen (a
 * config edited while it was down, secrets it could not read): reload every list a page has already
 * loaded. Lists never opened stay unloaded; their page fetches them when it opens. The model pickers
 * and the prompt list are cheap and read by several pages, so they always reload.
 */
export function refetchAfterRestart(s: Lists): void {
  if (s.keys !== null) void s.loadKeys()
  if (s.providers !== null) void s.loadProviders()
  if (s.routes !== null) void s.loadRoutes()
  if (s.backups !== null) void s.loadBackups()
  if (s.settings !== null) void s.loadSettings()
  void s.loadPlaygroundModels()
  void s.loadPrompts()
  void s.loadCompareModels()
}
