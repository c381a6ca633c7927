import { Redis } from 'ioredis'
import type { RedisSettings } from './settings.js'

/**
 * A command's longest wait: a Redis that stopped answering must not hold a call, whose policy then applies
 * its `onUnavailable` instead.
 */
export const COMMAND_TIMEOUT_MS = 500
/** How often the connection is checked with PING, so a Redis that hangs (not only one that closed) is seen. */
const PING_EVERY_MS = 1000
/** How long a start waits for the first connection; past it the gateway starts anyway, with Redis unavailable. */
const FIRST_CONNECT_MS = 3000
/** Reconnect backoff: 100 ms more per try, at most 1 s apart, so a Redis that returns is used within seconds. */
const retryStrategy = (times: number) => Math.min(times * 100, 1000)

export type AvailabilityListener = (up: boolean) => void

/**
 * One Redis shared by several gateway instances (config `redis`): limits, budgets, the cache and config go
 * through it. Commands fail fast while it is unreachable (no offline queue, a command timeout), so callers
 * decide what a dead Redis means for them; `available()` and `onChange` say whether it is up.
 */
export interface SharedState {
  /** For commands; fails a command at once while disconnected. */
  readonly redis: Redis
  /** A connection for pub/sub (one in subscriber mode cannot run commands), made on first use. */
  subscriber(): Redis
  /** The key prefix (`redis.keyPrefix`) and `parts` joined by ':'. */
  key(...parts: string[]): string
  available(): boolean
  /** Called on each transition between reachable and not; returns the unsubscribe. */
  onChange(listener: AvailabilityListener): () => void
  readonly settings: RedisSettings
  close(): Promise<void>
}

function connect(settings: RedisSettings): Redis {
  return new Redis(settings.url, {
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 1000,
    enableOfflineQueue: false,
    // A command sent as the connection dropped fails now instead of being replayed after a reconnect.
    maxRetriesPerRequest: 0,
    retryStrategy,
    lazyConnect: true,
  })
}

/** Says goodbye to a Redis that answers (within a command timeout) and drops the socket either way. */
async function end(c: Redis): Promise<void> {
  if (c.status === 'ready') {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, COMMAND_TIMEOUT_MS)
    })
    await Promise.race([c.quit().catch(() => undefined), late])
    clearTimeout(timer)
  }
  c.disconnect()
}

/**
 * Connects to Redis and waits a moment for it (so the first calls after a start find it); a Redis that is
 * not there yet does not stop the start: it is reported unavailable and connected to once it answers.
 */
export async function openSharedState(settings: RedisSettings): Promise<SharedState> {
  const redis = connect(settings)
  const listeners = new Set<AvailabilityListener>()
  let up = false
  let closed = false
  let sub: Redis | undefined
  const set = (next: boolean) => {
    if (next === up || closed) return
    up = next
    for (const l of listeners) l(up)
  }
  // Errors arrive as events while reconnecting; availability carries what they mean.
  redis.on('error', () => undefined)
  redis.on('close', () => set(false))
  const ping = async () => {
    if (redis.status !== 'ready') return set(false)
    try {
      await redis.ping()
      set(true)
    } catch {
      set(false)
    }
  }
  redis.on('ready', () => void ping())
  const timer = setInterval(() => void ping(), PING_EVERY_MS)
  timer.unref()

  const first = new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(wait)
      redis.off('ready', done)
      resolve()
    }
    const wait = setTimeout(done, FIRST_CONNECT_MS)
    redis.once('ready', done)
  })
  redis.connect().catch(() => undefined)
  await first
  await ping()

  return {
    redis,
    settings,
    subscriber() {
      if (!sub) {
        sub = redis.duplicate({ enableOfflineQueue: true, commandTimeout: undefined })
        sub.on('error', () => undefined)
      }
      return sub
    },
    key: (...parts) => settings.keyPrefix + parts.join(':'),
    available: () => up,
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    async close() {
      closed = true
      clearInterval(timer)
      listeners.clear()
      await Promise.all([redis, sub].map((c) => c && end(c)))
    },
  }
}
