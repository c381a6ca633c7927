import { describe, expect, it } from 'vitest'
import { openDatabase } from './db.js'
import { enforceRetention, usedBytes } from './retention.js'

const DAY = 86_400_000
const NOW = Date.parse('2025-06-01T00:00:00Z')

function seed(db: ReturnType<typeof openDatabase>, count: number, ageDays: (i: number) => number, bodyChars = 0) {
  const insert = db.prepare(
    `INSERT INTO request_logs (created_at, request_id, inbound_api, status, latency_ms) VALUES (?, ?, 'openai', 200, 1)`,
  )
  const body = db.prepare('INSERT INTO request_log_bodies (log_id, request_json) VALUES (?, ?)')
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const { lastInsertRowid } = insert.run(new Date(NOW - ageDays(i) * DAY).toISOString(), `r${i}`)
      if (bodyChars) body.run(lastInsertRowid, 'b'.repeat(bodyChars))
    }
  })()
}

const count = (db: ReturnType<typeof openDatabase>, table = 'request_logs') =>
  (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n

describe('retention', () => {
  it('deletes rows older than maxAgeDays, with their bodies, and keeps the rest', () => {
    const db = openDatabase(':memory:')
    seed(db, 5000, (i) => (i < 3000 ? 40 : 1), 10)
    const out = enforceRetention(db, { maxAgeDays: 30, maxDbMb: 1024 }, NOW)
    expect(out).toEqual({ deletedByAge: 3000, deletedBySize: 0 })
    expect(count(db)).toBe(2000)
    expect(count(db, 'request_log_bodies')).toBe(2000)
    db.close()
  })

  it('deletes the oldest rows until the database fits maxDbMb', () => {
    const db = openDatabase(':memory:')
    seed(db, 3000, () => 1, 1000)
    const before = usedBytes(db)
    const pagesBefore = db.pragma('page_count', { simple: true }) as number
    expect(before).toBeGreaterThan(3_000_000)
    const capMb = 1
    const out = enforceRetention(db, { maxAgeDays: 365, maxDbMb: capMb }, NOW)
    expect(out.deletedBySize).toBeGreaterThan(0)
    expect(usedBytes(db)).toBeLessThanOrEqual(capMb * 1024 * 1024)
    // Incremental vacuum handed the freed pages back instead of keeping them on the free list.
    expect(db.pragma('page_count', { simple: true })).toBeLessThan(pagesBefore / 2)
    // The newest rows are the ones kept.
    const oldestLeft = db.prepare('SELECT min(id) AS id FROM request_logs').get() as { id: number }
    expect(oldestLeft.id).toBe(3000 - count(db) + 1)
    db.close()
  })
})
