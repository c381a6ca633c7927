import type { FastifyInstance } from 'fastify'
import { type AuditQuery, AuditQuerySchema } from '../../../src-shared/contract/audit.js'
import type { AuditStore } from '../../audit/audit-store.js'
import { GatewayError } from '../../core/errors.js'
import { visibleWorkspaces } from '../../team/tenancy.js'
import { isoParam } from './query-params.js'

/**
 * GET /admin/v1/audit: admin changes, newest first, filtered by action, actor, target, time and text. A member reads
 * the entries about their workspaces' keys, prompts and access requests and about providers and routes shared with
 * them; entries about members, service accounts, settings and backups are for owners and admins. With config
 * `database` the list is every instance's, from the shared Postgres.
 */
export function registerAuditRoutes(app: FastifyInstance, audit: AuditStore | undefined): void {
  app.get<{ Querystring: AuditQuery }>(
    '/admin/v1/audit',
    { config: { permission: 'audit:read' }, schema: { querystring: AuditQuerySchema } },
    async (req) => {
      if (!audit) {
        throw new GatewayError(
          'internal',
          'the audit trail is not kept: the gateway runs without a database (started with --no-log, or without a data dir: --data-dir or SWITCHYARD_DATA_DIR)',
          { status: 503, code: 'storage_unavailable' },
        )
      }
      const { action, actor, target, since, until, q, limit, cursor } = req.query
      return audit.list(
        {
          action,
          actor,
          target,
          q,
          since: isoParam(since, 'since'),
          until: isoParam(until, 'until'),
          visibleTo: visibleWorkspaces(req.principal),
        },
        { limit, cursor: cursor === undefined ? undefined : Number(cursor) },
      )
    },
  )
}
