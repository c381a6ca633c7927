import type { Alerts } from '../alerts/alerts.js'
import type { Backends } from '../api/health.js'
import type { GatewayContext } from '../gateway-context.js'
import type { SharedState } from './redis.js'
import { type RedisSettings, servesWithoutRedis } from './settings.js'

/** The shared state's part in the gateway's life: opened at start, watched, closed at stop. */
export interface SharedStateLifecycle {
  /** Connects (loading the Redis client only now) and hangs the state on `gw.shared`. */
  open(): Promise<void>
  close(): Promise<void>
  backends: Backends
}

/**
 * Opens the Redis of `settings` at start: its client module is imported here, on demand, so a gateway without
 * `redis` never loads it. Each outage raises one `backend_unavailable` alert (admins only: no workspace) and
 * its end a second one saying how long it lasted.
 */
export function sharedStateLifecycle(
  settings: RedisSettings,
  gw: GatewayContext,
  alerts: Alerts,
  clock: () => number,
  /** One line per outage and per recovery, never the URL (it may carry the password). */
  log: (line: string) => void = (line) => process.stderr.write(`switchyard: ${line}\n`),
): SharedStateLifecycle {
  let shared: SharedState | undefined
  let downSince: number | undefined
  const down = () => {
    downSince = clock()
    const since = new Date(downSince).toISOString()
    const mode = settings.onUnavailable
    log(`Redis is unreachable: limits fail ${mode.limits}, budgets fail ${mode.budgets} until it answers`)
    alerts.raise({
      kind: 'backend_unavailable',
      level: 'critical',
      message: `Redis cannot be reached: limits fail ${mode.limits}, budgets fail ${mode.budgets}, the shared cache is skipped and config changes are not shared until it returns`,
      details: { backend: 'redis', since, onUnavailable: { ...mode } },
      dedupeKey: `backend:redis:${since}`,
    })
  }
  const up = () => {
    if (downSince === undefined) return
    const since = new Date(downSince).toISOString()
    const seconds = Math.round((clock() - downSince) / 1000)
    downSince = undefined
    log(`Redis is reachable again after ${seconds} s`)
    alerts.raise({
      kind: 'backend_unavailable',
      level: 'warning',
      message: `Redis is reachable again after ${seconds} s: shared limits, budgets, cache and config are back`,
      details: { backend: 'redis', since, seconds },
      dedupeKey: `backend:redis:${since}:recovered`,
    })
  }
  const reachable = () => shared?.available() === true
  return {
    async open() {
      const { openSharedState } = await import('./redis.js')
      shared = await openSharedState(settings)
      if (!shared.available()) down()
      shared.onChange((isUp) => (isUp ? up() : down()))
      gw.shared = shared
    },
    async close() {
      gw.shared = undefined
      await shared?.close()
    },
    backends: {
      states: () => ({ redis: reachable() ? 'ok' : 'unavailable' }),
      ready: () => reachable() || servesWithoutRedis(settings),
    },
  }
}
