import { beforeEach, expect, it } from 'vitest'
import { forEachDatabase } from '../../test/helpers/database-backends.js'
import { pgAuditStore } from '../store/pg/audit-store.js'
import { type AuditStore, type NewAuditEntry, sqliteAuditStore } from './audit-store.js'

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
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute)).toISOString()

forEachDatabase('audit store', (side) => {
  let store: AuditStore
  beforeEach(async () => {
    await side.reset(['audit_log'])
    store = side.handle.kind === 'sqlite' ? sqliteAuditStore(side.handle.db) : pgAuditStore(side.handle.pg)
  })
  const actions = async (filter: Parameters<AuditStore['list']>[0]) =>
    (await store.list(filter, { limit: 50 })).items.map((e) => e.action)

  it('filters by action area, actor, target, time, text and workspaces, and pages newest first', async () => {
    await store.insert(entry('key.create', { createdAt: at(1), target: 'ci', workspaces: ['research'] }))
    await store.insert(entry('key.rotate', { createdAt: at(2), target: 'ci', actor: 'person:p1', actorName: 'Ann' }))
    await store.insert(entry('keyring.update', { createdAt: at(3), workspaces: ['*'] }))
    await store.insert(
      entry('route.update', {
        createdAt: at(4),
        target: 'fast',
        userAgent: 'Mozilla/5.0 (50%_OFF)',
        diff: [{ path: 'routes.fast.strategy', before: 'Fallback', after: 'cheapest' }],
        workspaces: ['ops', 'research', 'ops'],
      }),
    )

    const page1 = await store.list({}, { limit: 3 })
    expect(page1.total).toBe(4)
    expect(page1.items.map((e) => e.action)).toEqual(['route.update', 'keyring.update', 'key.rotate'])
    const page2 = await store.list({}, { limit: 3, cursor: Number(page1.nextCursor) })
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
    expect((await store.list({ visibleTo: ['ops'], action: 'route' }, { limit: 1 })).total).toBe(1)
  })

  it('counts up an entry in place', async () => {
    const id = await store.insert(
      entry('auth.sign-in-failed', { actor: 'anonymous', diff: [{ path: 'attempts', after: 1 }] }),
    )
    await store.amend(id, [{ path: 'attempts', after: 2 }])
    const { items } = await store.list({}, { limit: 5 })
    expect(items.map((e) => [e.id, e.diff])).toEqual([[id, [{ path: 'attempts', after: 2 }]]])
  })

  it.runIf(side.name === 'postgres')('lists two instances’ entries in one list, newest first', async () => {
    const b = pgAuditStore((await side.another()).pg!)
    for (let n = 0; n < 6; n++) await (n % 2 ? b : store).insert(entry(`config.update`, { target: `t${n}` }))
    for (const s of [store, b]) {
      const { items, total } = await s.list({}, { limit: 10 })
      expect(total).toBe(6)
      expect(items.map((e) => e.target)).toEqual(['t5', 't4', 't3', 't2', 't1', 't0'])
      const times = items.map((e) => e.createdAt)
      expect([...times].sort().reverse()).toEqual(times)
    }
  })
})
