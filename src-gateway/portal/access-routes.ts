import { randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { type ListPage, NoBodySchema } from '../../src-shared/contract/common.js'
import { can } from '../../src-shared/contract/permissions.js'
import {
  type AccessRequest,
  type AccessRequestBody,
  AccessRequestBodySchema,
  type AccessRequestParams,
  AccessRequestParamsSchema,
  AccessRequestsQuerySchema,
} from '../../src-shared/contract/portal.js'
import { applying, conflict, notFound } from '../api/admin/admin-errors.js'
import type { ConfigStore } from '../config/store.js'
import { keyWorkspace } from '../config/workspaces.js'
import { GatewayError } from '../core/errors.js'
import { adminTokenPrincipal, type Principal } from '../team/principal.js'
import type { AccessRequestRow, AccessStore } from './access-store.js'
import { reachable } from './portal-view.js'

/** Pending requests one principal may have open: enough for real use, not a table to fill. */
const MAX_PENDING = 50
const LIST_LIMIT = 500

const view = (r: AccessRequestRow): AccessRequest => ({
  id: r.id,
  model: r.model,
  key: r.key_name,
  workspace: r.workspace,
  reason: r.reason,
  status: r.status,
  requester: r.requester,
  requesterName: r.requester_name,
  decidedBy: r.decided_by,
  decidedByName: r.decided_by_name,
  createdAt: new Date(r.created_at).toISOString(),
  decidedAt: r.decided_at === null ? null : new Date(r.decided_at).toISOString(),
})

const principalOf = (req: FastifyRequest): Principal => req.principal ?? adminTokenPrincipal('token')
const actorId = (p: Principal) => (p.kind === 'admin-token' ? 'admin-token' : `${p.kind}:${p.id}`)
const inWorkspace = (p: Principal, ws: string) =>
  p.workspaces === 'all' || p.workspaces.includes(ws) || (p.workspaces.length === 0 && ws === 'default')

/**
 * Access requests from the model portal: a member asks for a model on one of their workspace's keys; an
 * admin's approval appends it to the key's `models` globs through the ConfigStore. Both are in the audit trail.
 */
export function registerAccessRoutes(app: FastifyInstance, store: ConfigStore): void {
  const requests = (): AccessStore => {
    const found = app.team.accessRequests()
    if (!found) throw conflict('access requests need a data folder (the gateway runs without one)', 'no_database')
    return found
  }
  const get = async (id: string): Promise<AccessRequestRow> => {
    const row = await requests().get(id)
    if (!row) throw notFound(`access request '${id}'`, 'access_request_not_found')
    return row
  }

  app.post<{ Body: AccessRequestBody }>(
    '/admin/v1/portal/requests',
    { config: { permission: 'access:request' }, schema: { body: AccessRequestBodySchema } },
    async (req, reply): Promise<AccessRequest> => {
      const p = principalOf(req)
      const cfg = store.current.resolved
      const key = (cfg.keys ?? []).find((k) => k.name === req.body.key)
      const ws = key ? keyWorkspace(key) : undefined
      // One answer for a key that does not exist and one in another workspace: key names are not disclosed.
      if (!key || ws === undefined || !inWorkspace(p, ws)) {
        throw new GatewayError('permission', `key '${req.body.key}' is not in one of your workspaces`, {
          code: 'forbidden',
        })
      }
      if (!reachable(cfg, ws, req.body.model)) {
        throw conflict(`'${req.body.model}' is not shared with workspace '${ws}'`, 'not_in_workspace', 'model')
      }
      const d = requests()
      const n = await d.pendingOf(actorId(p))
      if (n >= MAX_PENDING) {
        throw new GatewayError('rate_limited', `you have ${n} pending access requests; wait for a decision`, {
          code: 'too_many_requests',
        })
      }
      const row: AccessRequestRow = {
        id: `ar_${randomBytes(12).toString('base64url')}`,
        model: req.body.model,
        key_name: key.name,
        workspace: ws,
        reason: req.body.reason,
        status: 'pending',
        requester: actorId(p),
        requester_name: p.name,
        decided_by: null,
        decided_by_name: null,
        created_at: Date.now(),
        decided_at: null,
      }
      await d.insert(row)
      await app.audit.record(req, {
        action: 'access.request',
        target: `keys.${key.name}`,
        diff: [{ path: `access_requests.${row.id}`, before: null, after: { model: row.model, reason: row.reason } }],
        workspaces: [row.workspace],
      })
      reply.code(201)
      return view(row)
    },
  )

  app.get(
    '/admin/v1/portal/requests',
    { config: { permission: 'access:request' }, schema: { querystring: AccessRequestsQuerySchema } },
    async (req): Promise<ListPage<AccessRequest>> => {
      const p = principalOf(req)
      const all = can(p, 'access:decide')
      const rows = await requests().list(LIST_LIMIT, all ? undefined : actorId(p))
      return { items: rows.map(view), total: rows.length, nextCursor: null }
    },
  )

  const decide = (decision: 'approved' | 'denied') => async (req: FastifyRequest<{ Params: AccessRequestParams }>) => {
    const p = principalOf(req)
    const row = await get(req.params.id)
    if (row.status !== 'pending')
      throw conflict(`access request '${row.id}' is already ${row.status}`, 'already_decided')
    const d = requests()
    // Claimed first: of two admins deciding at once (on any instances), one applies the decision.
    const claimed = await d.decide(row.id, {
      status: decision,
      decidedBy: actorId(p),
      decidedByName: p.name,
      at: Date.now(),
    })
    if (!claimed) {
      const now = await get(row.id)
      throw conflict(`access request '${row.id}' is already ${now.status}`, 'already_decided')
    }
    if (decision === 'approved') {
      try {
        const key = store.current.raw.keys?.find((k) => k.name === row.key_name)
        if (!key) throw conflict(`key '${row.key_name}' no longer exists`, 'key_not_found')
        // A key without `models` may already call every model: nothing to extend.
        if (key.models !== undefined && !key.models.includes(row.model)) {
          applying(() =>
            store.update((draft) => {
              const k = draft.keys?.find((x) => x.name === row.key_name)
              if (k?.models) k.models = [...k.models, row.model]
            }),
          )
        }
      } catch (err) {
        // Not applied: the request stays open for another try.
        await d.reopen(row.id)
        throw err
      }
    }
    await app.audit.record(req, {
      action: decision === 'approved' ? 'access.approve' : 'access.deny',
      target: `keys.${row.key_name}`,
      diff: [{ path: `access_requests.${row.id}.status`, before: 'pending', after: decision }],
      workspaces: [row.workspace],
    })
    return view(await get(row.id))
  }
  const opts = {
    config: { permission: 'access:decide' as const },
    schema: { params: AccessRequestParamsSchema, body: NoBodySchema },
  }
  app.post<{ Params: AccessRequestParams }>('/admin/v1/portal/requests/:id/approve', opts, decide('approved'))
  app.post<{ Params: AccessRequestParams }>('/admin/v1/portal/requests/:id/deny', opts, decide('denied'))
}
