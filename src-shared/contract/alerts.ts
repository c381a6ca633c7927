import { type Static, Type } from 'typebox'
import { ListPageSchema, PageQueryFields } from './common.js'

export const ALERT_KINDS = [
  'budget',
  'cost_anomaly',
  'traffic_anomaly',
  'log_writer',
  'backend_unavailable',
  'config_sync',
] as const
export type AlertKind = (typeof ALERT_KINDS)[number]
export type AlertLevel = 'warning' | 'critical'

/** GET /admin/v1/alerts, newest first. */
export const AlertsQuerySchema = Type.Object({
  ...PageQueryFields,
  status: Type.Union([Type.Literal('open'), Type.Literal('all')], {
    default: 'all',
    description: 'open: only alerts nobody has acknowledged',
  }),
  kind: Type.Optional(Type.Enum(ALERT_KINDS, { description: 'only alerts of this kind' })),
})
export type AlertsQuery = Static<typeof AlertsQuerySchema>

/** POST /admin/v1/alerts/:id/ack. */
export const AlertParamsSchema = Type.Object({ id: Type.Integer({ minimum: 1 }) })
export type AlertParams = Static<typeof AlertParamsSchema>

/** An alert as stored and served by GET /admin/v1/alerts. */
export const AlertItemSchema = Type.Object({
  id: Type.Integer(),
  createdAt: Type.String(),
  kind: Type.Enum(ALERT_KINDS),
  level: Type.Union([Type.Literal('warning'), Type.Literal('critical')]),
  keyName: Type.Union([Type.String(), Type.Null()]),
  /**
   * The workspace it is about (its key's, or the workspace whose budget it is): members see only their
   * workspaces' alerts. Absent: gateway-wide (cost anomaly, log writes), for owners and admins only.
   */
  workspace: Type.Optional(Type.String()),
  message: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  acknowledgedAt: Type.Union([Type.String(), Type.Null()]),
})
export type AlertItem = Static<typeof AlertItemSchema>
export const AlertPageSchema = ListPageSchema(AlertItemSchema)

/** Set on a key (GET /admin/v1/keys) while its requests in the traffic window far exceed its norm. */
export const TrafficAnomalySchema = Type.Object({
  windowRequests: Type.Integer(),
  /** The average requests per window over the hour before it. */
  normPerWindow: Type.Number(),
  windowMinutes: Type.Integer(),
})
export type TrafficAnomaly = Static<typeof TrafficAnomalySchema>
