import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { SharedState } from '../shared-state/redis.js'
import { type LoginLimiter, limitOf, WINDOW_MS } from './login-limiter.js'

/**
 * CHECK: KEYS = the attempt's counters, ARGV = their limits. Answers the longest wait in ms of those at their
 * limit (0: none), read in one step so a counter cannot end between its count and its TTL.
 */
export const LOGIN_CHECK_LUA = `
local wait = 0
for i = 1, #KEYS do
  local n = tonumber(redis.call('GET', KEYS[i]) or '0')
  if n >= tonumber(ARGV[i]) then
    local ttl = redis.call('PTTL', KEYS[i])
    if ttl > wait then wait = ttl end
  end
end
return wait
`

/**
 * FAIL: KEYS = the attempt's counters, ARGV[1] = the window in ms. Counts one failure on each; the window starts at
 * a counter's first failure, as the in-memory limiter's does.
 */
export const LOGIN_FAIL_LUA = `
for i = 1, #KEYS do
  if redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
end
return 1
`

interface LoginCommands {
  syLoginCheck(numKeys: number, ...keysAndArgs: (string | number)[]): Promise<number>
  syLoginFail(numKeys: number, ...keysAndArgs: (string | number)[]): Promise<number>
}

/**
 * The sign-in limits of every instance together: with `redis` set, the failures per email and per client address
 * are counted in Redis, so N instances (or workers) give a guesser the tries of one. Each attempt is one script
 * for the check and one for the failure. This instance's own LoginLimiter counts every failure too and answers
 * alone while Redis cannot be reached, so an outage falls back to per-instance limits, never to none. Counter
 * names are digests: the emails people sign in with do not sit in Redis.
 */
export class LoginLimits {
  private readonly defined = new WeakSet<Redis>()

  constructor(
    readonly local: LoginLimiter,
    private readonly shared: () => SharedState | undefined,
  ) {}

  /** Seconds until `keys` may try again, or 0 when none of them is locked out. */
  async retryAfter(keys: string[]): Promise<number> {
    const own = this.local.retryAfter(keys)
    const redis = this.redis()
    if (!redis) return own
    const ms = await redis.syLoginCheck(keys.length, ...this.names(keys), ...keys.map(limitOf)).catch(() => 0)
    return Math.max(own, Math.ceil(ms / 1000))
  }

  async fail(keys: string[]): Promise<void> {
    this.local.fail(keys)
    await this.redis()
      ?.syLoginFail(keys.length, ...this.names(keys), WINDOW_MS)
      .catch(() => undefined)
  }

  /** A successful sign-in clears the account's counter everywhere; the address's stays. */
  async succeed(key: string): Promise<void> {
    this.local.succeed(key)
    await this.redis()
      ?.del(...this.names([key]))
      .catch(() => undefined)
  }

  private redis(): (Redis & LoginCommands) | undefined {
    const shared = this.shared()
    if (!shared?.available()) return undefined
    const redis = shared.redis
    if (!this.defined.has(redis)) {
      redis.defineCommand('syLoginCheck', { lua: LOGIN_CHECK_LUA })
      redis.defineCommand('syLoginFail', { lua: LOGIN_FAIL_LUA })
      this.defined.add(redis)
    }
    return redis as Redis & LoginCommands
  }

  private names(keys: string[]): string[] {
    const shared = this.shared() as SharedState
    return keys.map((k) => shared.key('login', createHash('sha256').update(k).digest('base64url')))
  }
}
