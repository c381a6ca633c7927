import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { backupPath, listBackups, saveBackup } from './backup-files.js'
import { type BackupReason, takeSnapshot } from './snapshot.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'switchyard-backups-'))
  dirs.push(d)
  return d
}
const at = (reason: BackupReason, iso: string) => takeSnapshot({}, [], reason, new Date(iso))

describe('backup files', () => {
  it('keeps the newest 30 of each reason, and never prunes one reason for another', () => {
    const dir = tempDir()
    saveBackup(dir, at('daily', '2026-01-01T00:00:00.000Z'))
    for (let i = 0; i < 32; i++) saveBackup(dir, at('manual', new Date(Date.UTC(2026, 0, 2, 0, i)).toISOString()))
    const items = listBackups(dir)
    expect(items.filter((b) => b.reason === 'manual')).toHaveLength(30)
    expect(items.filter((b) => b.reason === 'daily')).toHaveLength(1)
    expect(items[0]).toMatchObject({ id: '2026-01-02T00-31-00-000Z-manual', createdAt: '2026-01-02T00:31:00.000Z' })
    expect(items.map((b) => b.id)).not.toContain('2026-01-02T00-01-00-000Z-manual')
  })

  it('gives two backups of one millisecond their own ids, newest first', () => {
    const dir = tempDir()
    const a = saveBackup(dir, at('manual', '2026-01-01T00:00:00.000Z'))
    const b = saveBackup(dir, at('manual', '2026-01-01T00:00:00.000Z'))
    expect(b.id).toBe(`${a.id}-2`)
    expect(listBackups(dir).map((x) => x.id)).toEqual([b.id, a.id])
  })

  it('lists only backup files and resolves only backup ids', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'notes.json'), '{}')
    const item = saveBackup(dir, at('pre-import', '2026-01-01T00:00:00.000Z'))
    expect(listBackups(dir).map((b) => b.id)).toEqual([item.id])
    expect(backupPath(dir, item.id)).toBe(join(dir, `${item.id}.json`))
    expect(backupPath(dir, 'notes')).toBeNull()
    expect(backupPath(dir, '../notes')).toBeNull()
  })
})
