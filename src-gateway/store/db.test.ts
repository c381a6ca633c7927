import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { closeDatabase, openDatabase } from './db.js'

it('opens the log database in WAL mode with a 2 MB page cache, not better-sqlite3’s 16 MB', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-db-'))
  try {
    const db = openDatabase(dir)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('cache_size', { simple: true })).toBe(-2000)
    closeDatabase(db)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
