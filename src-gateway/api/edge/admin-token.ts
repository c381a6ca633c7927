import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { LoadedConfig } from '../../config/load.js'
import { ensurePrivateDir } from '../../paths.js'

const ADMIN_TOKEN_FILE = 'admin-token'

const newToken = () => randomBytes(32).toString('base64url')

/**
 * The token kept in `DATA_DIR/admin-token`, made on first start: readable by the user only, as the
 * folder it sits in when we create it. Without a data dir (tests, throwaway runs) it lives in memory.
 */
export function storedAdminToken(dataDir: string | undefined): string {
  if (!dataDir) return newToken()
  const file = join(dataDir, ADMIN_TOKEN_FILE)
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim()
    if (kept !== '') return kept
  }
  ensurePrivateDir(dataDir)
  const token = newToken()
  // `wx` so two gateways starting at once cannot both write: the loser reads the winner's token.
  try {
    writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    const winner = readFileSync(file, 'utf8').trim()
    if (winner !== '') return winner
    // An empty file (a crash mid-write, a truncation) holds no token: replace it, never serve ''.
    writeFileSync(file, `${token}\n`, { mode: 0o600 })
  }
  // The mode given to writeFileSync is filtered by the umask; 0600 is what we promise.
  chmodSync(file, 0o600)
  return token
}

/**
 * The admin token in force: SWITCHYARD_ADMIN_TOKEN from the config's environment, else
 * `server.adminToken` (a resolved reference), else the stored one. Read per call, so a config change
 * of `server.adminToken` takes effect without a restart.
 */
export function adminTokenOf(config: LoadedConfig, stored: () => string): string {
  return envAdminToken(config) || config.resolved.server?.adminToken || stored()
}

/**
 * SWITCHYARD_ADMIN_TOKEN as this config's environment had it, read once per loaded config: `env` is usually
 * `process.env`, whose every read is a getenv call, and the token is looked up on each model call.
 */
const envTokens = new WeakMap<LoadedConfig, string>()
function envAdminToken(config: LoadedConfig): string {
  let token = envTokens.get(config)
  if (token === undefined) {
    token = config.env.SWITCHYARD_ADMIN_TOKEN ?? ''
    envTokens.set(config, token)
  }
  return token
}
