import type { BackupsSlice } from './backups-slice'

type Lists = Pick<BackupsSlice, 'backups' | 'loadBackups'>

/**
 * A restarted gateway may hold other lists than the ones on screen (a config edited while it was down, a
 * restored backup): reload every list a page has already loaded that is not a query yet (queries are all
 * invalidated by the store). Lists never opened stay unloaded; their page fetches them when it opens.
 */
export function refetchAfterRestart(s: Lists): void {
  if (s.backups !== null) void s.loadBackups()
}
