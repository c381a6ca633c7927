import type { FastifyInstance } from 'fastify'
import {
  type OverviewRequestQuery,
  OverviewRequestQuerySchema,
  type SpendRequestQuery,
  SpendRequestQuerySchema,
  type StatsRequestQuery,
  StatsRequestQuerySchema,
} from '../../../src-shared/contract/stats.js'
import { GatewayError } from '../../core/errors.js'
import type { StatsBucket } from '../../store/log-stats.js'
import type { LogStore } from '../../store/log-store.js'
import { visibleWorkspaces } from '../../team/tenancy.js'
import { isoParam, requireDb } from './query-params.js'

/** Without `from`, a range the chart reads well at: an hour of 5 minutes, a day of hours or a month of days. */
const DEFAULT_SPAN_MS = { '5m': 3_600_000, hour: 24 * 3_600_000, day: 30 * 86_400_000 }

function rangeOf(q: { from?: string; to?: string; bucket: StatsBucket }): { from: string; to: string } {
  const to = isoParam(q.to, 'to') ?? new Date().toISOString()
  const from = isoParam(q.from, 'from') ?? new Date(Date.parse(to) - DEFAULT_SPAN_MS[q.bucket]).toISOString()
  if (from >= to) throw new GatewayError('invalid_request', 'from must be earlier than to', { param: 'from' })
  return { from, to }
}

/** A report's answer comes from the worker as JSON text, sent as it is. */
export const JSON_TYPE = 'application/json; charset=utf-8'

/** The request log's store (SQLite's or the shared Postgres); without a database, requireDb's 503. */
export function requireLogStore(app: FastifyInstance): LogStore {
  const store = app.gateway.logStore
  if (store) return store
  requireDb(app)
  throw new GatewayError('internal', 'the request log is not open', { status: 503, code: 'storage_unavailable' })
}

/**
 * GET /admin/v1/stats: totals, per-group totals and a time series for the cost and latency charts.
 * GET /admin/v1/stats/overview: everything one Overview refresh draws, in one call (see computeOverview).
 * GET /admin/v1/stats/spend: cost, calls and tokens per workspace or per person.
 * All read through the log store (SQLite's report worker, or the shared Postgres).
 */
export function registerAdminStats(app: FastifyInstance): void {
  app.get<{ Querystring: StatsRequestQuery }>(
    '/admin/v1/stats',
    { config: { permission: 'logs:read' }, schema: { querystring: StatsRequestQuerySchema } },
    async (req, reply) => {
      const store = requireLogStore(app)
      const { bucket, groupBy } = req.query
      const json = await store.report({
        kind: 'stats',
        query: { ...rangeOf(req.query), bucket, groupBy },
        now: Date.now(),
        workspaces: visibleWorkspaces(req.principal),
      })
      return reply.type(JSON_TYPE).send(json)
    },
  )

  app.get<{ Querystring: OverviewRequestQuery }>(
    '/admin/v1/stats/overview',
    { config: { permission: 'logs:read' }, schema: { querystring: OverviewRequestQuerySchema } },
    async (req, reply) => {
      const store = requireLogStore(app)
      const { bucket, groupBy } = req.query
      const json = await store.report({
        kind: 'overview',
        query: { ...rangeOf(req.query), bucket, groupBy },
        now: Date.now(),
        workspaces: visibleWorkspaces(req.principal),
      })
      return reply.type(JSON_TYPE).send(json)
    },
  )

  // Spend per workspace or person: a month of day cells by default, like the daily Overview.
  app.get<{ Querystring: SpendRequestQuery }>(
    '/admin/v1/stats/spend',
    { config: { permission: 'logs:read' }, schema: { querystring: SpendRequestQuerySchema } },
    async (req, reply) => {
      const json = await requireLogStore(app).report({
        kind: 'spend',
        query: { ...rangeOf({ ...req.query, bucket: 'day' }), by: req.query.by },
        now: Date.now(),
        workspaces: visibleWorkspaces(req.principal),
      })
      return reply.type(JSON_TYPE).send(json)
    },
  )
}
