import type { FastifyInstance } from 'fastify'
import { type Static, Type } from 'typebox'
import { listAudit } from '../../audit/audit-store.js'
import { GatewayError } from '../../core/errors.js'
import { isoParam } from './query-params.js'

const Text = Type.Optional(Type.String({ minLength: 1, maxLength: 200 }))
const AuditQuery = Type.Object({
  action: Type.Optional(
    Type.String({ pattern: '^[a-z-]+(\\.[a-z-]+)?$', description: 'an action (`key.rotate`) or its area (`key`)' }),
  ),
  actor: Text,
  target: Text,
  since: Type.Optional(Type.String({ minLength: 1, description: 'ISO-8601 time, inclusive' })),
  until: Type.Optional(Type.String({ minLength: 1, description: 'ISO-8601 time, exclusive' })),
  q: Text,
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]+$', description: 'nextCursor of the previous page' })),
})

/** GET /admin/v1/audit: admin changes, newest first, filtered by action, actor, target, time and text. */
export function registerAuditRoutes(app: FastifyInstance): void {
  app.get<{ Querystring: Static<typeof AuditQuery> }>(
    '/admin/v1/audit',
    { schema: { querystring: AuditQuery } },
    async (req) => {
      const db = app.db
      if (!db?.open) {
        throw new GatewayError(
          'internal',
          'the audit trail is not kept: the gateway runs without a database (started with --no-log, or without a data dir: --data-dir or SWITCHYARD_DATA_DIR)',
          { status: 503, code: 'storage_unavailable' },
        )
      }
      const { action, actor, target, since, until, q, limit, cursor } = req.query
      return listAudit(
        db,
        { action, actor, target, q, since: isoParam(since, 'since'), until: isoParam(until, 'until') },
        { limit, cursor: cursor === undefined ? undefined : Number(cursor) },
      )
    },
  )
}
