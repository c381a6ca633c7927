import type { FastifyInstance } from 'fastify'
import {
  type ProjectsQuery,
  ProjectsQuerySchema,
  type SessionCallsQuery,
  SessionCallsQuerySchema,
  type SessionParams,
  SessionParamsSchema,
  type SessionsQuery,
  SessionsQuerySchema,
} from '../../../src-shared/contract/sessions.js'
import { GatewayError } from '../../core/errors.js'
import { visibleWorkspaces } from '../../team/tenancy.js'
import { isoParam } from './query-params.js'
import { JSON_TYPE, requireLogStore } from './stats.js'

/** Without `from`, the week before `to`: a list bounded in time reads a bounded part of the log. */
const DEFAULT_SPAN_MS = 7 * 86_400_000

function rangeOf(q: { from?: string; to?: string }): { from: string; to: string } {
  const to = isoParam(q.to, 'to') ?? new Date().toISOString()
  const from = isoParam(q.from, 'from') ?? new Date(Date.parse(to) - DEFAULT_SPAN_MS).toISOString()
  if (from >= to) throw new GatewayError('invalid_request', 'from must be earlier than to', { param: 'from' })
  return { from, to }
}

/**
 * GET /admin/v1/sessions (the sessions active in a range) and /admin/v1/projects (each project's totals in a
 * range), both in the report worker, and /admin/v1/sessions/:id (one session's totals and its calls in order:
 * seeks in the session index, on the gateway's thread).
 */
export function registerAdminSessions(app: FastifyInstance): void {
  app.get<{ Querystring: SessionsQuery }>(
    '/admin/v1/sessions',
    { config: { permission: 'logs:read' }, schema: { querystring: SessionsQuerySchema } },
    async (req, reply) => {
      const store = requireLogStore(app)
      const { project, key, tool, limit, cursor } = req.query
      const json = await store.report({
        kind: 'sessions',
        filter: { ...rangeOf(req.query), project, key, tool, workspaces: visibleWorkspaces(req.principal) },
        page: { limit, cursor: cursor === undefined ? undefined : Number(cursor) },
      })
      return reply.type(JSON_TYPE).send(json)
    },
  )

  app.get<{ Querystring: ProjectsQuery }>(
    '/admin/v1/projects',
    { config: { permission: 'logs:read' }, schema: { querystring: ProjectsQuerySchema } },
    async (req, reply) => {
      const { key, tool } = req.query
      const json = await requireLogStore(app).report({
        kind: 'projects',
        filter: { ...rangeOf(req.query), key, tool, workspaces: visibleWorkspaces(req.principal) },
      })
      return reply.type(JSON_TYPE).send(json)
    },
  )

  app.get<{ Params: SessionParams; Querystring: SessionCallsQuery }>(
    '/admin/v1/sessions/:id',
    {
      config: { permission: 'logs:read' },
      schema: { params: SessionParamsSchema, querystring: SessionCallsQuerySchema },
    },
    async (req) => {
      const { limit, cursor } = req.query
      const found = await requireLogStore(app).getSession(req.params.id, {
        limit,
        cursor: cursor === undefined ? undefined : Number(cursor),
        workspaces: visibleWorkspaces(req.principal),
      })
      if (!found) {
        throw new GatewayError('not_found', `no session with id ${req.params.id}`, { code: 'session_not_found' })
      }
      return found
    },
  )
}
