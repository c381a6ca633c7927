import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisServer, startRedis } from '../../test/helpers/redis-server.js'
import type { GatewayError } from '../core/errors.js'
import type { BucketClaim, ClaimOutcome } from '../policies/limit-buckets.js'
import { lazyClaim, MINUTE } from '../policies/limiter.js'
import { TokenBucket } from '../policies/token-bucket.js'
import { openSharedState, type SharedState } from './redis.js'
import { RedisLimits } from './redis-limits.js'
import { redisSettings } from './settings.js'

let server: RedisServer
const opened: SharedState[] = []

async function open(prefix: string, limits: 'open' | 'closed' = 'closed'): Promise<SharedState> {
  const s = await openSharedState(
    redisSettings({ redis: { url: server.url, keyPrefix: prefix, onUnavailable: { limits } } })!,
  )
  opened.push(s)
  return s
}

/** A claim on bucket `id` with its own local bucket (the fallback of `open`). */
function claim(id: string, capacity: number, n: number, what = id): BucketClaim {
  let local: TokenBucket | undefined
  return lazyClaim(id, capacity, n, what, undefined, () => {
    local ??= new TokenBucket(capacity, MINUTE, Date.now())
    return local
  })
}

const take = (limits: RedisLimits, claims: BucketClaim[]) => limits.takeAll(claims, Date.now()) as Promise<ClaimOutcome>

beforeAll(async () => {
  server = await startRedis()
})
afterAll(async () => {
  for (const s of opened) await s.close()
  await server?.stop()
})

describe('the token-bucket script in Redis', () => {
  it('takes from every bucket of a call only when none refuses', async () => {
    const shared = await open('t1:')
    const limits = new RedisLimits(shared)
    const rpm = claim('key:a:rpm', 10, 1)
    const first = await take(limits, [rpm, claim('key:a:tpm', 100, 60)])
    expect(first.refused).toBeUndefined()
    expect(first.states).toEqual([
      { remaining: 9, resetMs: 6000 },
      { remaining: 40, resetMs: 36000 },
    ])
    // 60 more tokens do not fit in 40: nothing is taken from the RPM bucket either.
    const second = await take(limits, [rpm, claim('key:a:tpm', 100, 60, 'tokens per minute')])
    expect(second.refused?.claim.what).toBe('tokens per minute')
    // 20 tokens missing at 100 per minute: 12 s (a little less, as time passed since the first take).
    expect(second.refused?.retryAfterMs).toBeGreaterThan(11_000)
    expect(second.refused?.retryAfterMs).toBeLessThanOrEqual(12_000)
    expect(second.states[0].remaining).toBe(9)
  })

  it('lets a request larger than the whole bucket through once the bucket is full', async () => {
    const limits = new RedisLimits(await open('t2:'))
    const big = await take(limits, [claim('key:b:tpm', 100, 500)])
    expect(big.refused).toBeUndefined()
    // The level went to -400: the next call waits until it is back to its own need.
    expect(big.states[0]).toEqual({ remaining: 0, resetMs: 300_000 })
    const next = await take(limits, [claim('key:b:tpm', 100, 10)])
    expect(next.refused?.retryAfterMs).toBeGreaterThan(245_000)
  })

  it('corrects tokens after the call, below zero too, and never above a full bucket', async () => {
    const shared = await open('t3:')
    const limits = new RedisLimits(shared)
    const tpm = claim('key:c:tpm', 1000, 100)
    await take(limits, [tpm])
    // The call used 1500 tokens, not the 100 estimated.
    limits.adjust(tpm, 1400, Date.now())
    await shared.redis.ping()
    const after = await take(limits, [claim('key:c:tpm', 1000, 0)])
    expect(after.states[0].remaining).toBe(0)
    expect(after.states[0].resetMs).toBeGreaterThan(89_000)
    // Giving back more than was taken fills the bucket and no more: a full bucket is no key at all.
    limits.adjust(tpm, -10_000, Date.now())
    await shared.redis.ping()
    expect(await shared.redis.exists(shared.key('limits', 'key:c:tpm'))).toBe(0)
  })

  it('keeps each bucket only until it would be full again', async () => {
    const shared = await open('t4:')
    const limits = new RedisLimits(shared)
    await take(limits, [claim('key:d:rpm', 60, 1)])
    const ttl = await shared.redis.pttl(shared.key('limits', 'key:d:rpm'))
    // One request of 60 per minute refills in 1 s; kept a second more.
    expect(ttl).toBeGreaterThan(1500)
    expect(ttl).toBeLessThanOrEqual(2000)
    expect(await shared.redis.keys('t4:*')).toEqual(['t4:limits:key:d:rpm'])
  })

  it('lets exactly the limit through when many connections take at once', async () => {
    const instances = [await open('t5:'), await open('t5:'), await open('t5:')].map((s) => new RedisLimits(s))
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) => take(instances[i % 3], [claim('key:e:rpm', 50, 1)])),
    )
    expect(outcomes.filter((o) => !o.refused)).toHaveLength(50)
    const remaining = outcomes.filter((o) => !o.refused).map((o) => o.states[0].remaining)
    expect(new Set(remaining).size).toBe(50)
  })

  it('runs its script again after Redis restarted empty (no NOSCRIPT error reaches the caller)', async () => {
    const shared = await open('t6:')
    const limits = new RedisLimits(shared)
    await take(limits, [claim('key:f:rpm', 5, 1)])
    await shared.redis.script('FLUSH')
    const again = await take(limits, [claim('key:f:rpm', 5, 1)])
    expect(again.states[0].remaining).toBe(3)
  })
})

describe('limits while Redis is unreachable', () => {
  it('closed: refuses with 503 limits_unavailable; open: falls back to this instance’s buckets', async () => {
    const closed = new RedisLimits(await open('t7:', 'closed'))
    const open_ = new RedisLimits(await open('t7:', 'open'))
    await server.pause()
    try {
      const c = claim('key:g:rpm', 2, 1)
      let refused: GatewayError | undefined
      try {
        await take(closed, [c])
      } catch (err) {
        refused = err as GatewayError
      }
      expect(refused?.status).toBe(503)
      expect(refused?.opts.code).toBe('limits_unavailable')
      const local = claim('key:g:rpm', 2, 1)
      const results = [await take(open_, [local]), await take(open_, [local]), await take(open_, [local])]
      expect(results.map((r) => r.refused === undefined)).toEqual([true, true, false])
    } finally {
      await server.resume()
    }
  })
})
