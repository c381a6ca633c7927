import { expect, it } from 'vitest'
import { minuteAt as at, forEachStore } from '../../test/helpers/store-on-each-database.js'
import { DatabaseUnavailableError } from '../core/database-unavailable.js'
import { openDatabase } from '../store/db.js'
import { pgAuditStore } from '../store/pg/audit-store.js'
import { queuedAuditStore } from './audit-queue.js'
import { type AuditEntry, type AuditStore, type NewAuditEntry, sqliteAuditStore } from './audit-store.js'

// The audit trail's store, one body for SQLite and Postgres (board S6): the filters of GET /admin/v1/audit, pages,
// a member's view and the in-place count of repeated failed sign-ins answer alike; then two instances' entries in one
// list, newest first.

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

forEachStore(
  'audit store',
  ['audit_log'],
  (h): AuditStore => (h.kind === 'sqlite' ? sqliteAuditStore(h.db) : pgAuditStore(h.pg)),
  (store, side) => {
    const actions = async (filter: Parameters<AuditStore['list']>[0]) =>
      (await store().list(filter, { limit: 50 })).items.map((e) => e.action)

    it('filters by action area, actor, target, time, text and workspaces, and pages newest first', async () => {
      await store().insert(entry('key.create', { createdAt: at(1), target: 'ci', workspaces: ['research'] }))
      await store().insert(
        entry('key.rotate', { createdAt: at(2), target: 'ci', actor: 'person:p1', actorName: 'Ann' }),
      )
      await store().insert(entry('keyring.update', { createdAt: at(3), workspaces: ['*'] }))
      await store().insert(
        entry('route.update', {
          createdAt: at(4),
          target: 'fast',
          userAgent: 'Mozilla/5.0 (50%_OFF)',
          diff: [{ path: 'routes.fast.strategy', before: 'Fallback', after: 'cheapest' }],
          workspaces: ['ops', 'research', 'ops'],
        }),
      )

      const page1 = await store().list({}, { limit: 3 })
      expect(page1.total).toBe(4)
      expect(page1.items.map((e) => e.action)).toEqual(['route.update', 'keyring.update', 'key.rotate'])
      const page2 = await store().list({}, { limit: 3, cursor: Number(page1.nextCursor) })
      expect([page2.items.map((e) => e.action), page2.nextCursor]).toEqual([['key.create'], null])
      expect(page1.items[2]).toMatchObject({
        createdAt: at(2),
        actor: 'person:p1',
        actorName: 'Ann',
        remoteAddress: '127.0.0.1',
        userAgent: 'curl/8',
        target: 'ci',
        requestId: null,
        diff: [{ path: 'x', after: 1 }],
      })
      expect(page2.items[0]).not.toHaveProperty('actorName')

      // `key` is the key.* actions, not keyring.*.
      expect(await actions({ action: 'key' })).toEqual(['key.rotate', 'key.create'])
      expect(await actions({ action: 'key.rotate' })).toEqual(['key.rotate'])
      expect(await actions({ actor: 'person:p1' })).toEqual(['key.rotate'])
      expect(await actions({ target: 'ci' })).toEqual(['key.rotate', 'key.create'])
      expect(await actions({ since: at(2), until: at(4) })).toEqual(['keyring.update', 'key.rotate'])
      // Text: any case, in the diff and the user agent; % and _ are themselves.
      expect(await actions({ q: 'fallback' })).toEqual(['route.update'])
      expect(await actions({ q: '50%_off' })).toEqual(['route.update'])
      expect(await actions({ q: '5%' })).toEqual([])
      expect(await actions({ q: 'ann' })).toEqual(['key.rotate'])
      // A member: entries of their workspaces and those shared with all; none without a workspace.
      expect(await actions({ visibleTo: ['research'] })).toEqual(['route.update', 'keyring.update', 'key.create'])
      expect(await actions({ visibleTo: ['ops'] })).toEqual(['route.update', 'keyring.update'])
      expect(await actions({ visibleTo: [] })).toEqual(['keyring.update'])
      expect((await store().list({ visibleTo: ['ops'], action: 'route' }, { limit: 1 })).total).toBe(1)
    })

    it('counts up an entry in place', async () => {
      const id = await store().insert(
        entry('auth.sign-in-failed', { actor: 'anonymous', diff: [{ path: 'attempts', after: 1 }] }),
      )
      await store().amend(id, [{ path: 'attempts', after: 2 }])
      const { items } = await store().list({}, { limit: 5 })
      expect(items.map((e) => [e.id, e.diff])).toEqual([[id, [{ path: 'attempts', after: 2 }]]])
    })

    if (side.name === 'postgres')
      it('lists two instances’ entries in one list, newest first', async () => {
        const b = pgAuditStore((await side.another()).pg!)
        for (let n = 0; n < 6; n++) await (n % 2 ? b : store()).insert(entry(`config.update`, { target: `t${n}` }))
        for (const s of [store(), b]) {
          const { items, total } = await s.list({}, { limit: 10 })
          expect(total).toBe(6)
          expect(items.map((e) => e.target)).toEqual(['t5', 't4', 't3', 't2', 't1', 't0'])
          const times = items.map((e) => e.createdAt)
          expect([...times].sort().reverse()).toEqual(times)
        }
      })
  },
)

// The queue in front of the shared audit trail (gateway-alerts-audit.test.ts proves it end to end on a real
// Postgres): its bounds, the order it stores in, and a failed sign-in counting up while its entry waits.

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
