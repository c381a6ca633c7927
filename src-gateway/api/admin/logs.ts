import { Readable } from 'node:stream'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import {
  type LogExportQuery,
  LogExportQuerySchema,
  type LogFilterQuery,
  type LogParams,
  LogParamsSchema,
  type LogsQuery,
  LogsQuerySchema,
} from '../../../src-shared/contract/logs.js'
import { can } from '../../../src-shared/contract/permissions.js'
import { GatewayError } from '../../core/errors.js'
import type { LogFilter } from '../../store/log-filter.js'
import { seesWorkspace, visibleWorkspaces } from '../../team/tenancy.js'
import { toLogFilter } from './query-params.js'
import { JSON_TYPE, requireLogStore } from './stats.js'

const EXPORT_TYPES = { jsonl: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8' }

/** Whether the caller's role may see request and response bodies (team mode's viewers may not). */
const seesBodies = (req: FastifyRequest): boolean => req.principal !== undefined && can(req.principal, 'logs:bodies')

/**
 * The query's filter within the caller's workspaces (passed to the report worker in the job); for a caller who
 * may not see bodies, a search `q` matches the metadata only.
 */
function filterFor(req: FastifyRequest<{ Querystring: LogFilterQuery }>): LogFilter {
  const filter = { ...toLogFilter(req.query), workspaces: visibleWorkspaces(req.principal) }
  return seesBodies(req) ? filter : { ...filter, searchMetaOnly: true }
}

/**
 * GET /admin/v1/logs (a page or a search, in the report worker), /admin/v1/logs/:id (one row by its key, and
 * its bodies opened with the gateway's key) and /admin/v1/logs/export (read in a worker of its own, streamed).
 * None of them shows or searches bodies for a role without `logs:bodies` (the export never holds bodies).
 */
export function registerAdminLogs(app: FastifyInstance): void {
  app.get<{ Querystring: LogsQuery }>(
    '/admin/v1/logs',
    { config: { permission: 'logs:read' }, schema: { querystring: LogsQuerySchema } },
    async (req, reply) => {
      const store = requireLogStore(app)
      const { limit, cursor, after } = req.query
      const json = await store.report({
        kind: 'logs',
        filter: filterFor(req),
        page: {
          limit,
          cursor: cursor === undefined ? undefined : Number(cursor),
          after: after === undefined ? undefined : Number(after),
        },
      })
      return reply.type(JSON_TYPE).send(json)
    },
  )

  app.get<{ Querystring: LogExportQuery }>(
    '/admin/v1/logs/export',
    { config: { permission: 'logs:read' }, schema: { querystring: LogExportQuerySchema } },
    async (req, reply) => {
      const { format } = req.query
      const store = requireLogStore(app)
      // Read and formatted in a worker; pulled by the response stream, so a chunk is asked for only once the
      // socket has taken the one before (the pipe waits for 'drain'), and the worker ends when the client goes
      // away (the stream is destroyed, which ends the generator). HEAD sends no body: an export started for it
      // would never be read, and its worker, never ended, would hold one of the few export places for good.
      const chunks = req.method === 'HEAD' ? null : store.startExport({ filter: filterFor(req), format })
      const stamp = new Date().toISOString().replace(/[:.]/g, '-')
      reply
        .header('content-type', EXPORT_TYPES[format])
        .header('content-disposition', `attachment; filename="switchyard-logs-${stamp}.${format}"`)
      return reply.send(chunks && Readable.from(chunks, { objectMode: false }))
    },
  )

  app.get<{ Params: LogParams }>(
    '/admin/v1/logs/:id',
    { config: { permission: 'logs:read' }, schema: { params: LogParamsSchema } },
    async (req) => {
      const row = await requireLogStore(app).getLog(req.params.id, app.requestLog.cipher)
      // Another workspace's row answers as a missing one: a 403 would confirm that it exists.
      if (!row || !seesWorkspace(req.principal, row.workspace))
        throw new GatewayError('not_found', `no request log with id ${req.params.id}`, { code: 'log_not_found' })
      if (seesBodies(req)) return row
      return { ...row, requestBody: null, responseBody: null, bodyError: null, bodiesHidden: true }
    },
  )
}
