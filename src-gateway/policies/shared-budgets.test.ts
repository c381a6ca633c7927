import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisServer, startRedis } from '../../test/helpers/redis-server.js'
import { openSharedState, type SharedState } from '../shared-state/redis.js'
import { redisSettings } from '../shared-state/settings.js'
import { reserveShared, type SharedBudgetRef, settleShared } from './shared-budgets.js'

const DAY = 24 * 3600_000

describe('shared budgets: reserve-then-settle in Redis', () => {
  let server: RedisServer
  let shared: SharedState
  let n = 0
  const ref = (over: Partial<SharedBudgetRef> = {}): SharedBudgetRef => ({
    scope: 'key',
    name: `k${++n}`,
    periodStart: Date.UTC(2026, 0, 1),
    periodEnd: Date.now() + DAY,
    ...over,
  })
  const redisKey = (r: SharedBudgetRef) => shared.key('budget', r.scope, r.name, String(r.periodStart))

  beforeAll(async () => {
    server = await startRedis()
    shared = await openSharedState(redisSettings({ redis: { url: server.url, keyPrefix: 'sb:' } })!)
  })
  afterAll(async () => {
    await shared?.close()
    await server?.stop()
  })

  it('admits exactly as many $1 reservations as a $5 budget holds, however many ask at once', async () => {
    const r = ref()
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => reserveShared(shared, r, 5, 1, 0, `c${i}`)))
    expect(answers.filter((a) => a.room === 'open')).toHaveLength(5)
    expect(answers.filter((a) => a.room === 'held')).toHaveLength(7)
    // Each settles at its price: the period's spend reaches the budget, and the next call finds it spent.
    for (let i = 0; i < 12; i++) if (answers[i].room === 'open') await settleShared(shared, r, `c${i}`, 1, 0)
    const after = await reserveShared(shared, r, 5, 1, 0, 'late')
    expect(after).toEqual({ room: 'spent', spent: 5, inFlight: 0 })
  })

  it('a failed call gives its reservation back (settled at 0)', async () => {
    const r = ref()
    expect((await reserveShared(shared, r, 1, 1, 0, 'a')).room).toBe('open')
    expect((await reserveShared(shared, r, 1, 1, 0, 'b')).room).toBe('held')
    expect(await settleShared(shared, r, 'a', 0, 0)).toBe(0)
    expect((await reserveShared(shared, r, 1, 1, 0, 'c')).room).toBe('open')
  })

  it("admits a call alone when nothing is in flight, and an unpriced call only then (as one instance's gate)", async () => {
    const r = ref()
    expect((await reserveShared(shared, r, 1, 3, 0, 'big')).room).toBe('open')
    expect((await reserveShared(shared, r, 1, undefined, 0, 'unpriced')).room).toBe('held')
    await settleShared(shared, r, 'big', 0.5, 0)
    expect((await reserveShared(shared, r, 1, undefined, 0, 'unpriced')).room).toBe('open')
  })

  it("a dead instance's reservation stops holding the budget once it expires", async () => {
    const r = ref()
    expect((await reserveShared(shared, r, 1, 1, 0, 'dead', 200)).room).toBe('open')
    expect((await reserveShared(shared, r, 1, 1, 0, 'x')).room).toBe('held')
    await new Promise((resolve) => setTimeout(resolve, 250))
    expect((await reserveShared(shared, r, 1, 1, 0, 'y')).room).toBe('open')
    expect(await shared.redis.hexists(redisKey(r), 'r:dead')).toBe(0)
  })

  it("seeds a period from the first instance's ledger only while Redis has no total", async () => {
    const r = ref()
    expect((await reserveShared(shared, r, 10, 1, 4, 'a')).spent).toBe(4)
    // A second instance with another ledger total does not overwrite it.
    expect((await reserveShared(shared, r, 10, 1, 7, 'b')).spent).toBe(4)
    expect(await settleShared(shared, r, 'a', 1, 9)).toBe(5)
  })

  it('period totals expire a day after their period; a budget that never resets has no expiry', async () => {
    const day = ref()
    await reserveShared(shared, day, 1, 1, 0, 'a')
    const ttl = await shared.redis.pttl(redisKey(day))
    expect(ttl).toBeGreaterThan(DAY + DAY - 60_000)
    expect(ttl).toBeLessThanOrEqual(2 * DAY)
    const total = ref({ periodStart: 0, periodEnd: undefined })
    await reserveShared(shared, total, 1, 1, 0, 'a')
    expect(await shared.redis.pttl(redisKey(total))).toBe(-1)
  })
})
