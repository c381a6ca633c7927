import { existsSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { BackupItem } from '../../src-shared/contract/backups.js'
import { ensurePrivateDir } from '../paths.js'
import { BACKUP_REASONS, type Backup, type BackupReason, parseBackup } from './snapshot.js'

/** A backup as listed: what its file name says, and its size (stated by the admin contract). */
export type { BackupItem }

/** How many backups of each reason are kept; older ones are deleted as new ones are written. */
const KEEP_PER_REASON = 30

export const backupsDir = (dataDir: string) => join(dataDir, 'backups')

// `2025-01-31T12-00-00-000Z-pre-import`, with `-2`… when two are taken in the same millisecond.
const ID = new RegExp(`^(\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}-\\d{3}Z)-(${BACKUP_REASONS.join('|')})(?:-(\\d+))?$`)

export const isBackupId = (id: string) => ID.test(id)

function parseId(id: string): { createdAt: string; reason: BackupReason } | null {
  const m = ID.exec(id)
  if (!m) return null
  const [date, time] = m[1].split('T')
  const [h, min, s, ms] = time.slice(0, -1).split('-')
  return { createdAt: `${date}T${h}:${min}:${s}.${ms}Z`, reason: m[2] as BackupReason }
}

/** Writes `path` whole or not at all, readable by the owner only (it holds the configuration). */
export function writeBackupFile(path: string, backup: Backup): void {
  ensurePrivateDir(dirname(path))
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(backup, null, 2)}\n`, { mode: 0o600 })
  renameSync(tmp, path)
}

/** The backups in `dir`, newest first; files that are not backups are left alone. */
export function listBackups(dir: string): BackupItem[] {
  if (!existsSync(dir)) return []
  const items: BackupItem[] = []
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.json')) continue
    const id = file.slice(0, -'.json'.length)
    const parsed = parseId(id)
    if (parsed) items.push({ id, ...parsed, sizeBytes: statSync(join(dir, file)).size })
  }
  // The id starts with the time, so it orders like it; a same-millisecond `-2` sorts after its twin.
  return items.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
}

/** Saves a backup under a new id in `dir`, then prunes that reason to the newest KEEP_PER_REASON. */
export function saveBackup(dir: string, backup: Backup): BackupItem {
  const stem = `${backup.createdAt.replace(/[:.]/g, '-')}-${backup.reason}`
  let id = stem
  for (let n = 2; existsSync(join(dir, `${id}.json`)); n++) id = `${stem}-${n}`
  writeBackupFile(join(dir, `${id}.json`), backup)
  for (const old of listBackups(dir)
    .filter((b) => b.reason === backup.reason)
    .slice(KEEP_PER_REASON)) {
    unlinkSync(join(dir, `${old.id}.json`))
  }
  return listBackups(dir).find((b) => b.id === id)!
}

export function backupPath(dir: string, id: string): string | null {
  const path = join(dir, `${id}.json`)
  return isBackupId(id) && existsSync(path) ? path : null
}

export function readBackupFile(path: string): Backup {
  return parseBackup(readFileSync(path, 'utf8'))
}
