import { unlinkSync } from 'node:fs'
import type { RestorePreview, RestoreResult } from '../../src-shared/contract/backups.js'
import { sameValue } from '../config/config-diff.js'
import { type ConfigStore, ConfigValidationError } from '../config/store.js'
import { GatewayError } from '../core/errors.js'
import type { PromptStore } from '../prompts/prompt-store.js'
import { type BackupItem, backupPath, backupsDir, listBackups, readBackupFile, saveBackup } from './backup-files.js'
import { type Backup, BackupFormatError, type BackupReason, type PromptBackup, takeSnapshot } from './snapshot.js'

const DAY_MS = 24 * 3_600_000

/** What restoring a backup would change, shown before the user confirms; and what a restore did (admin contract). */
export type { RestorePreview, RestoreResult }

export interface BackupService {
  list(): BackupItem[]
  create(reason: BackupReason): Promise<BackupItem>
  /** The file of a backup; a 404 for an unknown id. */
  path(id: string): string
  preview(id: string): Promise<RestorePreview>
  /** Takes a `pre-restore` snapshot, then switches the running gateway to the backup's config and prompts. */
  restore(id: string): Promise<RestoreResult>
  remove(id: string): void
  /** Takes a `daily` snapshot when the newest is a day old or there is none; answers it, or null. */
  ensureDaily(): Promise<BackupItem | null>
}

function promptChanges(now: PromptBackup[], then: PromptBackup[]): RestorePreview['prompts'] {
  const shape = (p: PromptBackup) => ({ versions: p.versions.map((v) => [v.version, v.contentHash]), labels: p.labels })
  const current = new Map(now.map((p) => [p.name, p]))
  const restored = new Map(then.map((p) => [p.name, p]))
  return {
    added: [...restored.keys()].filter((n) => !current.has(n)),
    removed: [...current.keys()].filter((n) => !restored.has(n)),
    changed: [...restored]
      .filter(([n, p]) => current.has(n) && !sameValue(shape(current.get(n)!), shape(p)))
      .map(([n]) => n),
  }
}

/**
 * Snapshots of the configuration and prompt library in DATA_DIR/backups: taken daily, before every
 * import, before every restore and on request, and restored through the ConfigStore so the running
 * gateway switches over live, exactly as an import does.
 */
export function createBackupService(opts: {
  dataDir: string
  /** The prompt library: the data folder's SQLite, or the shared Postgres (config `database`). */
  prompts: PromptStore
  store: ConfigStore
  clock?: () => number
}): BackupService {
  const { prompts, store } = opts
  const dir = backupsDir(opts.dataDir)
  const clock = opts.clock ?? Date.now

  const path = (id: string) => {
    const found = backupPath(dir, id)
    if (!found) throw new GatewayError('not_found', `no backup '${id}'`, { code: 'backup_not_found' })
    return found
  }
  const read = (id: string): Backup => {
    try {
      return readBackupFile(path(id))
    } catch (err) {
      if (err instanceof BackupFormatError)
        throw new GatewayError('invalid_request', `backup '${id}' is unreadable: ${err.message}`)
      throw err
    }
  }
  const create = async (reason: BackupReason) =>
    saveBackup(dir, takeSnapshot(store.current.raw, await prompts.dump(), reason, new Date(clock())))

  return {
    list: () => listBackups(dir),
    create,
    path,
    async preview(id) {
      const backup = read(id)
      const check = store.check(backup.config)
      return {
        id,
        createdAt: backup.createdAt,
        reason: backup.reason,
        appVersion: backup.appVersion,
        valid: check.valid,
        errors: check.errors,
        changes: check.changes,
        prompts: promptChanges(await prompts.dump(), backup.prompts),
      }
    },
    async restore(id) {
      const backup = read(id)
      // A config this version cannot run is refused before anything is written.
      const { valid, errors, changes } = store.check(backup.config)
      if (!valid) throw new ConfigValidationError(errors)
      const preRestore = await create('pre-restore')
      // Prompts first: a damaged file fails there, in a transaction, before the config has changed.
      await prompts.restore(backup.prompts)
      const loaded = store.apply(backup.config)
      return {
        restored: id,
        preRestore,
        changes,
        missingEnv: loaded.missingEnv,
        missingSecrets: loaded.missingSecrets,
      }
    },
    remove(id) {
      unlinkSync(path(id))
    },
    async ensureDaily() {
      const newest = listBackups(dir).find((b) => b.reason === 'daily')
      if (newest && clock() - Date.parse(newest.createdAt) < DAY_MS) return null
      return create('daily')
    },
  }
}
