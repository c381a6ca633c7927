import type { Redis } from 'ioredis'
import { GatewayError } from '../core/errors.js'
import { type BucketClaim, type ClaimOutcome, type LimitBackend, localBuckets } from '../policies/limit-buckets.js'
import type { SharedState } from './redis.js'

/**
 * The token buckets of `policies/token-bucket.ts` in Redis: refilled continuously at `capacity` per period, the
 * level may go below zero (usage corrected after a call), a request larger than the bucket waits for a full
 * one. Each bucket is a hash {l: level, t: last refill in ms}; time is Redis's own (`TIME`), so instances with
 * skewed clocks agree. A bucket expires once it would be full again: a missing bucket is a full one.
 *
 * TAKE: KEYS = the call's buckets; ARGV = capacity, periodMs, n for each. Checks every bucket, takes from all
 * only when none refuses. Returns {refused index (0: none), wait ms, then remaining and reset ms per bucket}.
 */
export const TAKE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = #KEYS
local caps, rates, needs, levels = {}, {}, {}, {}
local refused, wait = 0, 0
for i = 1, n do
  local cap = tonumber(ARGV[i * 3 - 2])
  local rate = cap / tonumber(ARGV[i * 3 - 1])
  local need = tonumber(ARGV[i * 3])
  local s = redis.call('HMGET', KEYS[i], 'l', 't')
  local level, last = tonumber(s[1]), tonumber(s[2])
  if level == nil or last == nil then level, last = cap, now end
  if now > last then level = math.min(cap, level + (now - last) * rate) end
  caps[i], rates[i], needs[i], levels[i] = cap, rate, need, level
  local want = math.min(need, cap)
  if refused == 0 and level < want then
    refused = i
    wait = math.ceil((want - level) / rate - 0.000001)
  end
end
local out = { refused, wait }
for i = 1, n do
  local level = levels[i]
  if refused == 0 then
    level = level - needs[i]
    local full = math.ceil((caps[i] - level) / rates[i])
    if full > 0 then
      redis.call('HSET', KEYS[i], 'l', string.format('%.17g', level), 't', now)
      redis.call('PEXPIRE', KEYS[i], full + 1000)
    else
      redis.call('DEL', KEYS[i])
    end
  end
  out[#out + 1] = math.max(0, math.floor(level))
  out[#out + 1] = math.ceil((caps[i] - level) / rates[i] - 0.000001)
end
return out
`

/**
 * ADJUST: KEYS[1] = a bucket; ARGV = capacity, periodMs, delta. Charges (delta > 0) or gives back (delta < 0)
 * tokens, never above a full bucket.
 */
export const ADJUST_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cap = tonumber(ARGV[1])
local rate = cap / tonumber(ARGV[2])
local s = redis.call('HMGET', KEYS[1], 'l', 't')
local level, last = tonumber(s[1]), tonumber(s[2])
if level == nil or last == nil then level, last = cap, now end
if now > last then level = math.min(cap, level + (now - last) * rate) end
level = math.min(cap, level - tonumber(ARGV[3]))
local full = math.ceil((cap - level) / rate)
if full > 0 then
  redis.call('HSET', KEYS[1], 'l', string.format('%.17g', level), 't', now)
  redis.call('PEXPIRE', KEYS[1], full + 1000)
else
  redis.call('DEL', KEYS[1])
end
return 1
`

interface BucketCommands {
  syTakeBuckets(numKeys: number, ...keysAndArgs: (string | number)[]): Promise<number[]>
  syAdjustBucket(key: string, capacity: number, periodMs: number, delta: number): Promise<number>
}

/** Corrections sent and not answered yet, past which more are dropped: a slow Redis must not pile them up. */
const MAX_PENDING_ADJUSTS = 1000

/** The 503 of `onUnavailable.limits: closed`, in the caller's API format like every gateway error. */
export function limitsUnavailable(): GatewayError {
  return new GatewayError(
    'unavailable',
    'rate limits cannot be checked: the shared state (Redis) is unreachable, and redis.onUnavailable.limits is closed',
    { code: 'limits_unavailable', retryAfter: '1' },
  )
}

/**
 * Rate-limit buckets shared through Redis: one EVALSHA per call for all of its buckets. While Redis cannot be
 * reached, `onUnavailable.limits` decides: `closed` refuses the call (503 `limits_unavailable`), `open` falls
 * back to this instance's own buckets (each instance then allows the whole limit by itself).
 */
export class RedisLimits implements LimitBackend {
  private readonly redis: Redis & BucketCommands
  private pending = 0

  constructor(private readonly shared: SharedState) {
    const redis = shared.redis
    redis.defineCommand('syTakeBuckets', { lua: TAKE_LUA })
    redis.defineCommand('syAdjustBucket', { lua: ADJUST_LUA, numberOfKeys: 1 })
    this.redis = redis as Redis & BucketCommands
  }

  private key(claim: BucketClaim): string {
    return this.shared.key('limits', claim.id)
  }

  takeAll(claims: readonly BucketClaim[], now: number): ClaimOutcome | Promise<ClaimOutcome> {
    if (claims.length === 0) return localBuckets.takeAll(claims, now)
    if (!this.shared.available()) return this.unavailable(claims, now)
    const args: (string | number)[] = claims.map((c) => this.key(c))
    for (const c of claims) args.push(c.capacity, c.periodMs, c.n)
    return this.redis.syTakeBuckets(claims.length, ...args).then(
      (r) => ({
        refused: r[0] > 0 ? { claim: claims[r[0] - 1], retryAfterMs: Math.max(1, r[1]) } : undefined,
        states: claims.map((_, i) => ({ remaining: r[2 + i * 2], resetMs: r[3 + i * 2] })),
      }),
      () => this.unavailable(claims, now),
    )
  }

  private unavailable(claims: readonly BucketClaim[], now: number): ClaimOutcome {
    if (this.shared.settings.onUnavailable.limits === 'closed') throw limitsUnavailable()
    return localBuckets.takeAll(claims, now) as ClaimOutcome
  }

  adjust(claim: BucketClaim, delta: number, now: number): void {
    if (delta === 0) return
    if (!this.shared.available()) {
      if (this.shared.settings.onUnavailable.limits === 'open') localBuckets.adjust(claim, delta, now)
      return
    }
    if (this.pending >= MAX_PENDING_ADJUSTS) return
    this.pending++
    this.redis
      .syAdjustBucket(this.key(claim), claim.capacity, claim.periodMs, delta)
      .catch(() => undefined)
      .finally(() => {
        this.pending--
      })
  }
}
