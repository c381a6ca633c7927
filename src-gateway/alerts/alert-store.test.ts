import { expect, it } from 'vitest'
import { minuteAt as at, forEachStore } from '../../test/helpers/store-on-each-database.js'
import { DatabaseUnavailableError } from '../core/database-unavailable.js'
import { pgAlertStore } from '../store/pg/alert-store.js'
import type { PgLifecycle } from '../store/pg/lifecycle.js'
import { type NewAlert, sqliteAlertStore } from './alert-store.js'
import { Alerts } from './alerts.js'

// The alert store's contract, one body for SQLite and Postgres (board S6), then what only a shared database has to
// hold: two instances raising one occasion store it once (S5), and one reads what the other raised.

const alert = (n: number, over: Partial<NewAlert> = {}): NewAlert => ({
  kind: 'budget',
  level: 'warning',
  keyName: 'ci',
  workspace: 'research',
  message: `alert ${n}`,
  details: { n },
  dedupeKey: `k${n}`,
  ...over,
})

forEachStore(
  'alert store',
  ['alerts'],
  (h) => (h.kind === 'sqlite' ? sqliteAlertStore(h.db) : pgAlertStore(() => h.pg)),
  (store, side) => {
    it('stores an occasion once, lists newest first in pages, filters, acknowledges once', async () => {
      const first = await store().insert(alert(1), at(1))
      expect(first).toEqual({
        id: first!.id,
        createdAt: at(1),
        kind: 'budget',
        level: 'warning',
        keyName: 'ci',
        workspace: 'research',
        message: 'alert 1',
        details: { n: 1 },
        acknowledgedAt: null,
      })
      expect(await store().insert(alert(1, { message: 'again' }), at(2))).toBeUndefined()
      await store().insert(
        alert(2, { kind: 'cost_anomaly', level: 'critical', keyName: undefined, workspace: undefined }),
        at(3),
      )
      await store().insert(alert(3, { workspace: 'ops' }), at(4))

      const all = await store().list({ limit: 2 })
      expect(all.total).toBe(3)
      expect(all.items.map((a) => a.message)).toEqual(['alert 3', 'alert 2'])
      expect(all.items[1]).not.toHaveProperty('workspace')
      expect(all.items[1].keyName).toBeNull()
      const next = await store().list({ limit: 2, cursor: Number(all.nextCursor) })
      expect(next.items.map((a) => a.message)).toEqual(['alert 1'])
      expect(next.nextCursor).toBeNull()

      expect((await store().list({ limit: 10, kind: 'cost_anomaly' })).items.map((a) => a.message)).toEqual(['alert 2'])
      // A member's view: their workspaces' alerts, never the gateway-wide ones.
      const mine = await store().list({ limit: 10, workspaces: ['research'] })
      expect([mine.total, mine.items.map((a) => a.message)]).toEqual([1, ['alert 1']])
      expect((await store().list({ limit: 10, workspaces: [] })).total).toBe(0)

      const gatewayWide = all.items[1].id
      expect(await store().ack(gatewayWide, at(10), ['research'])).toBeUndefined()
      expect(await store().ack(first!.id, at(10), ['ops'])).toBeUndefined()
      expect((await store().ack(first!.id, at(10), ['research']))?.acknowledgedAt).toBe(at(10))
      expect((await store().ack(first!.id, at(20)))?.acknowledgedAt).toBe(at(10))
      expect(await store().ack(9999, at(20))).toBeUndefined()
      const open = await store().list({ limit: 10, open: true })
      expect([open.total, open.items.map((a) => a.message)]).toEqual([2, ['alert 3', 'alert 2']])

      expect((await store().dedupeKeysSince(at(3))).sort()).toEqual(['k2', 'k3'])
    })

    if (side.name === 'postgres')
      it('stores an occasion two instances raise at once once, and each lists it', async () => {
        const b = (await side.another()).pg!
        const stores = [pgAlertStore(() => side.handle.pg), pgAlertStore(() => b)]
        // 20 rounds of both instances inserting the same occasion in the same turn.
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, n) => stores.map((s) => s.insert(alert(n), at(1)))).flat(),
        )
        expect(results.filter((r) => r !== undefined)).toHaveLength(20)
        for (const s of stores) expect((await s.list({ limit: 50 })).total).toBe(20)

        // Through the Alerts of each instance: one stores it (and would send its webhook), the other finds it stored.
        const sent: string[] = []
        const instances = stores.map(
          (store) => new Alerts({}, { store, clock: Date.now, warn: (m) => sent.push(`warning: ${m}`) }),
        )
        for (const a of instances) a.raise(alert(100, { dedupeKey: 'budget:ci:month:50' }))
        await Promise.all(instances.map((a) => a.idle()))
        const counts = instances.map((a) => /kind="budget"} (\d+)/.exec(a.renderMetrics())?.[1])
        expect(counts.sort()).toEqual(['0', '1'])
        expect(sent).toEqual([])
        // Raised on A, read on B (what B's banner and Alerts page show).
        const onB = await instances[1].list({ limit: 1 })
        expect(onB.items[0]).toMatchObject({ message: 'alert 100' })
        // A restart of B knows the occasion from the shared table and does not raise it again.
        const restarted = new Alerts({}, { store: stores[1], clock: Date.now })
        await restarted.start(undefined)
        restarted.raise(alert(100, { dedupeKey: 'budget:ci:month:50' }))
        await restarted.idle()
        expect(restarted.renderMetrics()).toContain('switchyard_alerts_total{kind="budget"} 0')
        for (const a of [...instances, restarted]) await a.close()
      })

    if (side.name === 'postgres')
      it('answers 503 storage_unavailable before the database is open', async () => {
        const closed = pgAlertStore(() => ({ pool: () => undefined, migrated: () => false }) as unknown as PgLifecycle)
        const err = await closed.list({ limit: 1 }).catch((e: unknown) => e)
        expect(err).toBeInstanceOf(DatabaseUnavailableError)
        expect(err).toMatchObject({ status: 503, opts: { code: 'storage_unavailable' } })
      })
  },
)
