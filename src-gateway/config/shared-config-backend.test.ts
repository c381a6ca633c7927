import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PostgresServer, startPostgres } from '../../test/helpers/postgres-server.js'
import { type RedisServer, startRedis } from '../../test/helpers/redis-server.js'
import { openSharedState, type SharedState } from '../shared-state/redis.js'
import { DEFAULT_KEY_PREFIX } from '../shared-state/settings.js'
import { pgConfigBackend } from '../store/pg/config-store.js'
import { migratePg } from '../store/pg/migrations.js'
import { pgNotifier } from '../store/pg/notify.js'
import { openPgPool, type PgPool } from '../store/pg/pool.js'
import type { SharedConfigBackend } from './shared-config.js'
import { redisConfigBackend } from './shared-config-redis.js'

// One contract, two backends (S6): the shared config's storage in Redis and in Postgres, each time two instances'
// backends on one server (S5): versions only grow, a seed is stored only into an empty backend, a change never
// replaces a newer one, a newer seed asks the change to be made again, an announcement reaches the other
// instance with the version, and a read stops one byte past its bound.

interface Pair {
  a: SharedConfigBackend
  b: SharedConfigBackend
  /** Stores `text` as the raw document, as a writer to the backend could. */
  plant(text: string): Promise<void>
  close(): Promise<void>
}

async function redisPair(): Promise<Pair> {
  const server: RedisServer = await startRedis()
  const settings = {
    url: server.url,
    keyPrefix: DEFAULT_KEY_PREFIX,
    onUnavailable: { limits: 'closed', budgets: 'closed' },
  } as const
  const states: SharedState[] = [await openSharedState(settings), await openSharedState(settings)]
  return {
    a: redisConfigBackend(states[0]),
    b: redisConfigBackend(states[1]),
    plant: async (text) => void (await states[0].redis.set(states[0].key('config'), text)),
    async close() {
      for (const s of states) await s.close()
      await server.stop()
    },
  }
}

async function postgresPair(): Promise<Pair> {
  const server: PostgresServer = await startPostgres()
  const pools: PgPool[] = [await openPgPool(server.url), await openPgPool(server.url)]
  await migratePg(pools[0])
  const notifiers = pools.map((p) => pgNotifier({ pool: () => p }))
  const backend = (i: number) =>
    pgConfigBackend({ pool: () => pools[i], migrated: () => true, onMigrated: (l) => l(), notifier: notifiers[i] })
  return {
    a: backend(0),
    b: backend(1),
    plant: async (text) => void (await pools[0].query('UPDATE switchyard_config SET document = $1', [text])),
    async close() {
      for (const n of notifiers) await n.close()
      for (const p of pools) await p.close()
      await server.stop()
    },
  }
}

const doc = (version: number, seed = false) =>
  JSON.stringify({ version, ...(seed ? { seed: true } : {}), body: `v${version}` })

for (const [name, open] of [
  ['redis', redisPair],
  ['postgres', postgresPair],
] as const) {
  describe(`shared config backend [${name}]`, () => {
    let pair: Pair
    beforeAll(async () => {
      pair = await open()
    }, 60_000)
    afterAll(async () => {
      await pair?.close()
    })

    it('starts empty, seeds once, and never lets an older change replace a newer one', async () => {
      const { a, b } = pair
      expect(a.available()).toBe(true)
      expect(await a.counter()).toBe(0)
      expect((await a.read(1024)).length).toBe(0)

      const heard: number[] = []
      await b.watch((v) => heard.push(v))
      const seedVersion = await a.nextVersion()
      // Two first starts at once: one seed is kept.
      const otherSeed = await b.nextVersion()
      const [first, second] = await Promise.all([
        a.store(seedVersion, doc(seedVersion, true), true),
        b.store(otherSeed, doc(otherSeed, true), true),
      ])
      expect([first, second].sort()).toEqual(['older', 'stored'])
      const seeded = JSON.parse((await b.read(1024)).toString('utf8')) as { version: number }
      expect([seedVersion, otherSeed]).toContain(seeded.version)

      // A change numbered at or below the seed is asked for again (the seed is no newer change); above it, it
      // replaces the seed.
      const low = Math.min(seedVersion, otherSeed)
      expect(await a.store(low, doc(low), false)).toBe('after-seed')
      const v = await a.nextVersion()
      expect(v).toBeGreaterThan(Math.max(seedVersion, otherSeed))
      expect(await a.store(v, doc(v), false)).toBe('stored')
      await expect.poll(() => heard.includes(v), { timeout: 2000 }).toBe(true)
      expect(await b.counter()).toBe(v)

      // Two changes at once: versions are distinct and the higher one is what both read.
      const [x, y] = await Promise.all([a.nextVersion(), b.nextVersion()])
      expect(x).not.toBe(y)
      const outcomes = await Promise.all([b.store(y, doc(y), false), a.store(x, doc(x), false)])
      expect(outcomes).toContain('stored')
      const kept = JSON.parse((await a.read(1024)).toString('utf8')) as { version: number }
      expect(kept.version).toBe(Math.max(x, y))
      // The lower one, tried after, loses.
      expect(await a.store(Math.min(x, y), doc(Math.min(x, y)), false)).toBe('older')
    })

    it('reads at most one byte past its bound', async () => {
      await pair.plant('y'.repeat(5000))
      const got = await pair.a.read(1000)
      expect(got.length).toBe(1001)
    })
  })
}
