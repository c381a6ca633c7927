import { chmodSync, existsSync, mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The project root (the folder with package.json), whether we run from src-gateway/ (tsx) or dist/gateway/. */
export const appRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error('cannot find the Switchyard package root')
    dir = up
  }
  return dir
})()

/** The built web UI served at `/` by the headless gateway. */
export const webRoot = join(appRoot, 'dist', 'web')

/** Bundled data files (default config, price table snapshot). */
export const resourcesDir = join(appRoot, 'resources')

/**
 * Where data lives when no --data-dir is given: the same folder Electron's app.getPath('userData')
 * uses for an app named Switchyard, so the desktop app and `switchyard serve` share one database.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SWITCHYARD_DATA_DIR) return env.SWITCHYARD_DATA_DIR
  const home = homedir()
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'Switchyard')
  if (process.platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Switchyard')
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'Switchyard')
}

/**
 * Creates `dir` (and missing parents) readable by the user only: it holds prompts, answers and keys.
 * A folder given by the user that already exists keeps its mode, since they may share it on purpose;
 * one we create is chmod'ed (the mode given to mkdir is filtered by the umask), and so is the default
 * data dir, which is ours even when Electron or an older version made it readable by others.
 */
export function ensurePrivateDir(dir: string): void {
  const created = mkdirSync(dir, { recursive: true, mode: 0o700 })
  if (created !== undefined || resolve(dir) === resolve(defaultDataDir())) chmodSync(dir, 0o700)
}
