import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { type ConfigFormat, formatOf, writeConfigFile } from '../config/config-file.js'
import { ConfigError, loadConfigFile, parseConfigText } from '../config/load.js'
import type { GatewayConfig } from '../config/schema.js'
import { defaultSecretStore } from '../config/secrets.js'
import { ConfigStore, configWritePath } from '../config/store.js'
import { exportText, type ImportResult, importConfig, parseImportText, sniffFormat } from '../config/transfer.js'
import { configProblems } from '../config/validate.js'
import { sqlitePromptStore } from '../prompts/prompt-store.js'
import { closeDatabase, type Db, openDatabase } from '../store/db.js'
import { type BackupItem, backupsDir, readBackupFile, saveBackup, writeBackupFile } from './backup-files.js'
import { refuseWhileServed } from './data-dir-lock.js'
import { type BackupReason, dumpPrompts, restorePrompts, takeSnapshot } from './snapshot.js'

// `switchyard backup|restore|export|import`: the same snapshots and transfers as the running gateway
// makes, done on the files while it is stopped (two writers to one config file would overwrite each
// other): the commands that write refuse a data dir a gateway holds (see data-dir-lock.ts).

export interface OfflineTarget {
  dataDir: string
  /** The config file the gateway would start from. */
  configPath: string
}

/** The config file's data; invalid config cannot be restored later, so it is refused now. */
function readConfig(path: string): GatewayConfig {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new ConfigError(`cannot read config ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`)
  }
  const data = parseConfigText(text, formatOf(path))
  const problems = configProblems(data)
  if (problems.length > 0) {
    throw new ConfigError(`config ${path} is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`)
  }
  return data as GatewayConfig
}

const hasDatabase = (dataDir: string) => existsSync(join(dataDir, 'switchyard.db'))

/** Runs `use` on the database at `where`, closing it after (after the promise `use` returns settles). */
function usingDatabase<T>(where: string, use: (db: Db) => T): T {
  const db = openDatabase(where)
  let out: T
  try {
    out = use(db)
  } catch (err) {
    closeDatabase(db)
    throw err
  }
  if (out instanceof Promise) return out.finally(() => closeDatabase(db)) as T
  closeDatabase(db)
  return out
}

/** Runs `use` on the data dir's database if there is one (a backup never creates an empty one). */
function withDatabase<T>(dataDir: string, create: boolean, use: (db: Db | undefined) => T): T {
  if (!create && !hasDatabase(dataDir)) return use(undefined)
  return usingDatabase(dataDir, use)
}

function snapshot(t: OfflineTarget, reason: BackupReason) {
  const config = readConfig(t.configPath)
  return withDatabase(t.dataDir, false, (db) => takeSnapshot(config, db ? dumpPrompts(db) : [], reason, new Date()))
}

/** Writes a backup to `out`, or into DATA_DIR/backups like the gateway's own; answers the file written. */
export function backupOffline(t: OfflineTarget, out?: string): string {
  const backup = snapshot(t, 'manual')
  if (out) {
    writeBackupFile(resolve(out), backup)
    return resolve(out)
  }
  const item = saveBackup(backupsDir(t.dataDir), backup)
  return join(backupsDir(t.dataDir), `${item.id}.json`)
}

export interface OfflineRestore {
  /** Where the restored config was written. */
  configPath: string
  /** The snapshot of what was there before, or null when the current config could not be read. */
  preRestore: BackupItem | null
  prompts: number
}

/**
 * Restores a backup file: a `pre-restore` snapshot of the current state first, then the config file
 * (keeping its comments where sections did not change) and the prompt library.
 */
export function restoreOffline(t: OfflineTarget, file: string): OfflineRestore {
  refuseWhileServed(t.dataDir, 'restore through the UI/admin API')
  const backup = readBackupFile(file)
  const problems = configProblems(backup.config)
  if (problems.length > 0) {
    throw new ConfigError(
      `the backup's config is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
    )
  }
  const writePath = configWritePath(t.configPath, t.dataDir)!
  // Nothing to save when there is no config yet (a fresh data dir); a broken one is not worth keeping.
  let preRestore: BackupItem | null = null
  if (existsSync(t.configPath)) {
    try {
      preRestore = saveBackup(backupsDir(t.dataDir), snapshot(t, 'pre-restore'))
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err
    }
  }
  // Prompts first: a damaged file fails there, in a transaction, before the config file is rewritten.
  withDatabase(t.dataDir, true, (db) => restorePrompts(db!, backup.prompts))
  writeConfigFile(writePath, backup.config, t.configPath)
  return { configPath: writePath, preRestore, prompts: backup.prompts.length }
}

/** The exported file's text, as `GET /admin/v1/config/export` gives it; `prompts` adds the library's. */
export function exportOffline(t: OfflineTarget, opts: { format: ConfigFormat; prompts: boolean }): Promise<string> {
  const config = readConfig(t.configPath)
  return withLibrary(t.dataDir, false, (db) =>
    exportText(config, {
      format: opts.format,
      secrets: 'refs',
      prompts: opts.prompts ? sqlitePromptStore(db) : undefined,
    }),
  )
}

/** Runs `use` on the data dir's prompt library; an empty one in memory when it has no database and `create` is false. */
function withLibrary<T>(dataDir: string, create: boolean, use: (db: Db) => T): T {
  return usingDatabase(create || hasDatabase(dataDir) ? dataDir : ':memory:', use)
}

/**
 * Previews an exported file against the data dir, as `POST /admin/v1/config/import` does; with `apply`,
 * takes a `pre-import` snapshot, then writes the config (plain keys into the secret store) and the
 * prompts. Applying refuses a data dir a running gateway holds.
 */
export async function importOffline(t: OfflineTarget, file: string, apply: boolean): Promise<ImportResult> {
  if (apply) refuseWhileServed(t.dataDir, 'import through the UI/admin API')
  const text = readFileSync(file, 'utf8')
  const parsed = parseImportText(text, sniffFormat(text))
  if (!('data' in parsed)) return parsed
  const current = loadConfigFile(t.configPath)
  const store = new ConfigStore(current, {
    configPath: t.configPath,
    dataDir: t.dataDir,
    secrets: defaultSecretStore(t.dataDir, current.env),
  })
  return withLibrary(t.dataDir, apply, (db) => {
    const beforeImport = () =>
      saveBackup(backupsDir(t.dataDir), takeSnapshot(current.raw, dumpPrompts(db), 'pre-import', new Date()))
    return importConfig(store, sqlitePromptStore(db), parsed.data, { apply, beforeImport })
  })
}
