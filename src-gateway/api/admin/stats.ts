import type { FastifyInstance } from 'fastify'
import { type Static, Type } from 'typebox'
import { GatewayError } from '../../core/errors.js'
import { computeStats } from '../../store/log-stats.js'
import { isoParam, requireDb } from './query-params.js'

const StatsQuerySchema = Type.Object({
  from: Type.Optional(Type.String({ minLength: 1 })),
  to: Type.Optional(Type.String({ minLength: 1 })),
  bucket: Type.Union([Type.Literal('5m'), Type.Literal('hour'), Type.Literal('day')], { default: 'hour' }),
  groupBy: Type.Optional(Type.Union([Type.Literal('model'), Type.Literal('provider'), Type.Literal('key')])),
})

/** Without `from`, a range the chart reads well at: an hour of 5 minutes, a day of hours or a month of days. */
const DEFAULT_SPAN_MS = { '5m': 3_600_000, hour: 24 * 3_600_000, day: 30 * 86_400_000 }

/** GET /admin/v1/stats: totals, per-group totals and a time series for the cost and latency charts. */
export function registerAdminStats(app: FastifyInstance): void {
  app.get<{ Querystring: Static<typeof StatsQuerySchema> }>(
    '/admin/v1/stats',
    { schema: { querystring: StatsQuerySchema } },
    async (req) => {
      const db = requireDb(app)
      const { bucket, groupBy } = req.query
      const to = isoParam(req.query.to, 'to') ?? new Date().toISOString()
      const from = isoParam(req.query.from, 'from') ?? new Date(Date.parse(to) - DEFAULT_SPAN_MS[bucket]).toISOString()
      if (from >= to) throw new GatewayError('invalid_request', 'from must be earlier than to', { param: 'from' })
      return await computeStats(db, { from, to, bucket, groupBy })
    },
  )
}
