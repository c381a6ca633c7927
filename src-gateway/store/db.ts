import { chmodSync, closeSync, existsSync, openSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { ensurePrivateDir } from '../paths.js'
import { MIGRATIONS } from './migrations.js'
import { rollUpNewRows } from './rollups.js'

export type Db = Database.Database

/** Opens (creating if needed) the gateway database and brings its schema and rollups up to date. */
export function openDatabase(dataDir: string | ':memory:'): Db {
  let file = ':memory:'
  if (dataDir !== ':memory:') {
    ensurePrivateDir(dataDir)
    file = join(dataDir, 'switchyard.db')
    ownerOnly(file)
  }
  const db = new Database(file)
  // Lets retention hand freed pages back to the OS. Takes effect only while the file has no tables yet.
  db.pragma('auto_vacuum = INCREMENTAL')
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  // better-sqlite3 builds SQLite with a 16 MB page cache, which the log's inserts alone fill within minutes:
  // most of the gateway's memory growth under load. Writes append, so their pages stay hot in 2 MB (SQLite's
  // own default), and reports over a big log read from the OS's file cache instead.
  db.pragma('cache_size = -2000')
  migrate(db)
  // Rows written by an older version (or by anything but the log writer) reach the stats' rollups here.
  rollUpNewRows(db)
  return db
}

/**
 * Makes the database file (created empty if need be, which SQLite takes as a new database) and any WAL
 * files readable by the user only. SQLite gives the -wal and -shm files it creates the mode of the main
 * file, so they follow; files an older version left readable by others are tightened.
 */
function ownerOnly(file: string): void {
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600))
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600)
}

/** Runs every migration newer than the database's `user_version`, each in its own transaction. */
export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number
  for (const [i, sql] of MIGRATIONS.entries()) {
    const version = i + 1
    if (version <= current) continue
    db.transaction(() => {
      db.exec(sql)
      db.pragma(`user_version = ${version}`)
    })()
  }
}

export function closeDatabase(db: Db): void {
  if (!db.open) return
  try {
    if (db.name !== ':memory:') db.pragma('wal_checkpoint(TRUNCATE)')
  } catch {
    // A full disk can refuse the checkpoint: the committed rows stay in the WAL, which the next open replays.
  }
  db.close()
}
