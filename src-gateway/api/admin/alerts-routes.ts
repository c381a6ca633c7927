import type { FastifyInstance } from 'fastify'
import {
  type AlertParams,
  AlertParamsSchema,
  type AlertsQuery,
  AlertsQuerySchema,
} from '../../../src-shared/contract/alerts.js'
import { NoBodySchema } from '../../../src-shared/contract/common.js'
import type { Alerts } from '../../alerts/alerts.js'
import { visibleWorkspaces } from '../../team/tenancy.js'
import { notFound } from './admin-errors.js'

/**
 * GET /admin/v1/alerts (newest first, optionally one `kind`) and POST /admin/v1/alerts/:id/ack. A member sees and
 * acknowledges only their workspaces' alerts (another's answers 404, not confirming it exists); gateway-wide alerts
 * are for owners and admins.
 */
export function registerAdminAlerts(app: FastifyInstance, alerts: Alerts): void {
  app.get<{ Querystring: AlertsQuery }>(
    '/admin/v1/alerts',
    { config: { permission: 'alerts:read' }, schema: { querystring: AlertsQuerySchema } },
    async (req) => {
      const { limit, cursor, status, kind } = req.query
      return alerts.list({
        limit,
        cursor: cursor === undefined ? undefined : Number(cursor),
        open: status === 'open',
        kind,
        workspaces: visibleWorkspaces(req.principal),
      })
    },
  )

  app.post<{ Params: AlertParams }>(
    '/admin/v1/alerts/:id/ack',
    { config: { permission: 'alerts:write' }, schema: { params: AlertParamsSchema, body: NoBodySchema } },
    async (req) => {
      const alert = await alerts.ack(req.params.id, visibleWorkspaces(req.principal))
      if (!alert) throw notFound(`no alert ${req.params.id}`, 'alert_not_found')
      return alert
    },
  )
}
