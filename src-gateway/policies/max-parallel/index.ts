import { Type } from 'typebox'
import { GatewayError } from '../../core/errors.js'
import { type Policy, settingsOf } from '../policy.js'
import { type Counted, inFlightCounts } from './in-flight.js'

const fields = {
  /**
   * At most this many calls in flight at once (for a key: its calls; for a route: calls naming it); one
   * more is refused with 429 and `retry-after`, as LiteLLM's `max_parallel_requests` does. A refusal is not
   * queued: a client that waits in its own retry loop knows how long it has waited.
   */
  maxParallel: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
}

/** One limit that applies to a call: which counter, and its size. */
interface Limit extends Counted {
  max: number
}

/** Concurrency limits per client key and per route (`maxParallel` on either). */
export const maxParallel: Policy<typeof fields, typeof fields, Limit[]> = {
  name: 'maxParallel',
  keyFields: fields,
  routeFields: fields,
  settings({ key, route }) {
    const limits: Limit[] = []
    const keyMax = key?.config.maxParallel
    if (key && keyMax) limits.push({ scope: 'key', name: key.name, max: keyMax })
    const routeMax = route?.config.maxParallel
    if (route && routeMax) limits.push({ scope: 'route', name: route.name, max: routeMax })
    return limits.length > 0 ? limits : undefined
  },
  stage: {
    name: 'max parallel',
    before(s) {
      const limits = settingsOf<Limit[]>(maxParallel, s)
      if (!limits) return
      const counts = inFlightCounts(s.gw)
      const full = limits.find((l) => counts.count(l) >= l.max)
      if (full) {
        counts.refused(full)
        throw new GatewayError(
          'rate_limited',
          `${full.scope} '${full.name}' already has ${full.max} call(s) in flight (its maxParallel); retry when one finishes`,
          { code: 'max_parallel_exceeded', retryAfter: '1' },
        )
      }
      for (const l of limits) counts.take(l)
    },
    // Runs only after `before` returned, so exactly for calls that took their slots. The settings are the
    // ones `before` read: a config reload gives later calls new settings, not this one.
    finally(s) {
      const limits = settingsOf<Limit[]>(maxParallel, s)
      if (!limits) return
      const counts = inFlightCounts(s.gw)
      for (const l of limits) counts.release(l)
    },
  },
  metrics: (gw) => inFlightCounts(gw).render(),
}
