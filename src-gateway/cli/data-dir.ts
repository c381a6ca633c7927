import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { OfflineTarget } from '../backup/offline.js'
import { defaultDataDir, resourcesDir } from '../paths.js'
import type { OptionSpec } from './args.js'

/** The options every command takes to find the files it works on, as `serve` finds them. */
export const FILE_OPTIONS = {
  config: {
    type: 'string',
    value: 'FILE',
    help: 'YAML or JSON config (default: DATA_DIR/config.yaml, else the bundled default)',
  },
  'data-dir': {
    type: 'string',
    value: 'DIR',
    help: 'database and state (default: the app-data folder; SWITCHYARD_DATA_DIR overrides)',
  },
} satisfies Record<string, OptionSpec>

/** The config file to use: the flag, else the data folder's own, else the bundled default. */
function chooseConfig(flag: string | undefined, dataDir: string): string {
  if (flag) return flag
  const own = join(dataDir, 'config.yaml')
  return existsSync(own) ? own : join(resourcesDir, 'default-config.yaml')
}

/** The data dir and config file a command works on: `serve` and the offline commands choose them alike. */
export function fileTarget(values: Record<string, string | boolean | undefined>): OfflineTarget {
  const dataDir = (values['data-dir'] as string | undefined) ?? defaultDataDir()
  return { dataDir, configPath: chooseConfig(values.config as string | undefined, dataDir) }
}
