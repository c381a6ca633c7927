import type { FastifyInstance } from 'fastify'
import { type Static, Type } from 'typebox'
import type { Alerts } from '../../alerts/alerts.js'
import { notFound } from './admin-errors.js'

const AlertsQuerySchema = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]+$', description: 'nextCursor of the previous page' })),
  status: Type.Union([Type.Literal('open'), Type.Literal('all')], {
    default: 'all',
    description: 'open: only alerts nobody has acknowledged',
  }),
  kind: Type.Optional(
    Type.Union(
      [
        Type.Literal('budget'),
        Type.Literal('cost_anomaly'),
        Type.Literal('traffic_anomaly'),
        Type.Literal('log_writer'),
      ],
      {
        description: 'only alerts of this kind',
      },
    ),
  ),
})
const AlertParamsSchema = Type.Object({ id: Type.Integer({ minimum: 1 }) })

/** GET /admin/v1/alerts (newest first, optionally one `kind`) and POST /admin/v1/alerts/:id/ack. */
export function registerAdminAlerts(app: FastifyInstance, alerts: Alerts): void {
  app.get<{ Querystring: Static<typeof AlertsQuerySchema> }>(
    '/admin/v1/alerts',
    { schema: { querystring: AlertsQuerySchema } },
    async (req) => {
      const { limit, cursor, status, kind } = req.query
      return alerts.list({
        limit,
        cursor: cursor === undefined ? undefined : Number(cursor),
        open: status === 'open',
        kind,
      })
    },
  )

  app.post<{ Params: Static<typeof AlertParamsSchema> }>(
    '/admin/v1/alerts/:id/ack',
    { schema: { params: AlertParamsSchema } },
    async (req) => {
      const alert = alerts.ack(req.params.id)
      if (!alert) throw notFound(`no alert ${req.params.id}`, 'alert_not_found')
      return alert
    },
  )
}
