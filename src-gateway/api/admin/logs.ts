import { Readable } from 'node:stream'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { type Static, Type } from 'typebox'
import { GatewayError } from '../../core/errors.js'
import { csvLine } from '../../store/csv.js'
import { getLog, LOG_ITEM_FIELDS, logBatches } from '../../store/log-queries.js'
import { LogFilterFields, requireDb, toLogFilter } from './query-params.js'
import { JSON_TYPE, requireReports } from './stats.js'

const LogsQuerySchema = Type.Object({
  ...LogFilterFields,
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]+$', description: 'nextCursor of the previous page' })),
  after: Type.Optional(
    Type.String({ pattern: '^[0-9]+$', description: "only rows newer than this id (a live view's top row)" }),
  ),
})
const LogParamsSchema = Type.Object({ id: Type.Integer({ minimum: 1 }) })
const ExportQuerySchema = Type.Object({
  ...LogFilterFields,
  format: Type.Union([Type.Literal('jsonl'), Type.Literal('csv')], { default: 'jsonl' }),
})

const EXPORT_TYPES = { jsonl: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8' }

/** A CSV cell for one field: redactions and guardrail hits are kept as their JSON text, and left blank when empty. */
function csvCell(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value
  return Object.keys(value).length === 0 ? null : JSON.stringify(value)
}

/**
 * GET /admin/v1/logs (a page or a search, in the report worker), /admin/v1/logs/:id (one row by its key, and
 * its bodies opened with the gateway's key) and /admin/v1/logs/export (streamed in batches that yield).
 */
export function registerAdminLogs(app: FastifyInstance): void {
  app.get<{ Querystring: Static<typeof LogsQuerySchema> }>(
    '/admin/v1/logs',
    { schema: { querystring: LogsQuerySchema } },
    async (req, reply) => {
      const reports = requireReports(app)
      const { limit, cursor, after } = req.query
      const json = await reports.run({
        kind: 'logs',
        filter: toLogFilter(req.query),
        page: {
          limit,
          cursor: cursor === undefined ? undefined : Number(cursor),
          after: after === undefined ? undefined : Number(after),
        },
      })
      return reply.type(JSON_TYPE).send(json)
    },
  )

  app.get<{ Querystring: Static<typeof ExportQuerySchema> }>(
    '/admin/v1/logs/export',
    { schema: { querystring: ExportQuerySchema } },
    async (req, reply) => {
      const db = requireDb(app)
      const { format } = req.query
      const batches = logBatches(db, toLogFilter(req.query))
      // Pulled by the response stream: a batch is read only once the socket has taken the previous one (the
      // pipe waits for 'drain'), each batch is followed by a turn of the event loop so that calls keep being
      // served during a long export, and reading stops when the client goes away (the stream is destroyed,
      // which ends this generator at its next step).
      const lines = async function* () {
        if (format === 'csv') yield csvLine(LOG_ITEM_FIELDS)
        for (const batch of batches) {
          yield format === 'csv'
            ? batch.map((item) => csvLine(LOG_ITEM_FIELDS.map((f) => csvCell(item[f])))).join('')
            : batch.map((item) => `${JSON.stringify(item)}\n`).join('')
          await nextTurn()
        }
      }
      const stamp = new Date().toISOString().replace(/[:.]/g, '-')
      reply
        .header('content-type', EXPORT_TYPES[format])
        .header('content-disposition', `attachment; filename="switchyard-logs-${stamp}.${format}"`)
      return reply.send(Readable.from(lines(), { objectMode: false }))
    },
  )

  app.get<{ Params: Static<typeof LogParamsSchema> }>(
    '/admin/v1/logs/:id',
    { schema: { params: LogParamsSchema } },
    async (req) => {
      const row = getLog(requireDb(app), req.params.id, app.requestLog.cipher)
      if (!row)
        throw new GatewayError('not_found', `no request log with id ${req.params.id}`, { code: 'log_not_found' })
      return row
    },
  )
}
