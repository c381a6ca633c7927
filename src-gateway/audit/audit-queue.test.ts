import { expect, it } from 'vitest'
import { DatabaseUnavailableError } from '../core/database-unavailable.js'
import { openDatabase } from '../store/db.js'
import { queuedAuditStore } from './audit-queue.js'
import type { AuditEntry } from './audit-store.js'
import { type AuditStore, type NewAuditEntry, sqliteAuditStore } from './audit-store.js'

// The queue in front of the shared audit trail (gateway-alerts-audit.test.ts proves it end to end on a real
// Postgres): here its bounds, the order it stores in, and a failed sign-in counting up while its entry waits.

const entry = (action: string, over: Partial<NewAuditEntry> = {}): NewAuditEntry => ({
  actor: 'admin-token',
  remoteAddress: '127.0.0.1',
  userAgent: 'curl/8',
  action,
  target: null,
  requestId: null,
  diff: [{ path: 'x', after: 1 }],
  ...over,
})

/** A SQLite audit trail that refuses every call as an unreachable database while `down`. */
function flaky(): { store: AuditStore; down: boolean; close(): void } {
  const db = openDatabase(':memory:')
  const inner = sqliteAuditStore(db)
  const state: { store: AuditStore; down: boolean; close(): void } = {
    down: false,
    close: () => db.close(),
    store: {
      insert: (e) => (state.down ? Promise.reject(new DatabaseUnavailableError('the audit trail')) : inner.insert(e)),
      list: (f, p) => (state.down ? Promise.reject(new DatabaseUnavailableError('the audit trail')) : inner.list(f, p)),
      amend: (id, d) =>
        state.down ? Promise.reject(new DatabaseUnavailableError('the audit trail')) : inner.amend(id, d),
    } satisfies AuditStore,
  }
  return state
}

const actions = async (s: AuditStore) => (await s.list({}, { limit: 50 })).items.map((e: AuditEntry) => e.action)

it('stores what waited in order, once, before later entries, and drops the oldest past its bounds with a warning', async () => {
  const db = flaky()
  const warnings: string[] = []
  const store = queuedAuditStore(db.store, { warn: (m) => warnings.push(m), maxEntries: 3, retryMs: 10 })
  try {
    expect(await store.insert(entry('a'))).toBeGreaterThan(0)
    db.down = true
    for (const a of ['b', 'c', 'd', 'e']) expect(await store.insert(entry(a))).toBeLessThan(0)
    await expect(store.list({}, { limit: 50 })).rejects.toBeInstanceOf(DatabaseUnavailableError)
    expect(warnings).toHaveLength(2)
    expect(warnings[1]).toContain('the audit queue is full (3 entries')
    db.down = false
    await store.insert(entry('f'))
    // `b` went (the oldest past three); the rest in the order made, newest first, each once.
    expect(await actions(store)).toEqual(['f', 'e', 'd', 'c', 'a'])
    expect(warnings[2]).toBe('1 audit entry was dropped while the database was away')
    // The retry timer alone stores them too, with no later write or read.
    db.down = true
    await store.insert(entry('g'))
    db.down = false
    await new Promise((r) => setTimeout(r, 100))
    expect((await actions(db.store))[0]).toBe('g')
  } finally {
    await store.close()
    db.close()
  }
})

it('bounds the waiting entries by bytes too', async () => {
  const db = flaky()
  const warnings: string[] = []
  const store = queuedAuditStore(db.store, { warn: (m) => warnings.push(m), maxBytes: 2000, retryMs: 10_000 })
  try {
    db.down = true
    for (let i = 0; i < 10; i++) await store.insert(entry(`big${i}`, { diff: [{ path: 'x', after: 'y'.repeat(500) }] }))
    db.down = false
    await store.close()
    const kept = await actions(db.store)
    expect(kept.length).toBeGreaterThan(0)
    expect(kept.length).toBeLessThan(5)
    expect(kept[0]).toBe('big9')
    expect(warnings.at(-1)).toMatch(/^\d+ audit entries were dropped/)
  } finally {
    db.close()
  }
})

it('counts a waiting entry up in place and amends it once stored (repeated failed sign-ins)', async () => {
  const db = flaky()
  const store = queuedAuditStore(db.store, { warn: () => undefined, retryMs: 10_000 })
  try {
    db.down = true
    const id = await store.insert(entry('auth.sign-in-failed', { diff: [{ path: 'attempts', after: 1 }] }))
    await store.amend(id, [{ path: 'attempts', after: 2 }])
    db.down = false
    expect((await store.list({}, { limit: 1 })).items[0].diff).toEqual([{ path: 'attempts', after: 2 }])
    await store.amend(id, [{ path: 'attempts', after: 3 }])
    expect((await store.list({}, { limit: 1 })).items[0].diff).toEqual([{ path: 'attempts', after: 3 }])
  } finally {
    await store.close()
    db.close()
  }
})
