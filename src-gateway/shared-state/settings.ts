import type { GatewayConfig } from '../config/schema.js'

export type FailMode = 'open' | 'closed'

/** The `redis` section with its defaults filled in; the short form `redis: URL` is `{ url }`. */
export interface RedisSettings {
  url: string
  keyPrefix: string
  onUnavailable: { limits: FailMode; budgets: FailMode }
}

export const DEFAULT_KEY_PREFIX = 'switchyard:'

/** The resolved config's Redis settings; undefined without a `redis` section (everything stays in this process). */
export function redisSettings(config: GatewayConfig): RedisSettings | undefined {
  const r = config.redis
  if (r === undefined) return undefined
  const section = typeof r === 'string' ? { url: r } : r
  return {
    url: section.url,
    keyPrefix: section.keyPrefix ?? DEFAULT_KEY_PREFIX,
    onUnavailable: {
      limits: section.onUnavailable?.limits ?? 'closed',
      budgets: section.onUnavailable?.budgets ?? 'closed',
    },
  }
}

/** Whether the gateway is ready for traffic with Redis down: only when every policy that uses it fails open. */
export const servesWithoutRedis = (s: RedisSettings): boolean =>
  s.onUnavailable.limits === 'open' && s.onUnavailable.budgets === 'open'
