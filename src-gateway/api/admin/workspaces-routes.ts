import type { FastifyInstance } from 'fastify'
import {
  DEFAULT_WORKSPACE,
  type Workspace,
  type WorkspaceItem,
  type WorkspaceParams,
  WorkspaceParamsSchema,
  type WorkspacePutBody,
  WorkspacePutBodySchema,
  WorkspacesQuerySchema,
} from '../../../src-shared/contract/workspaces.js'
import type { GatewayConfig } from '../../config/schema.js'
import type { ConfigStore } from '../../config/store.js'
import { keyWorkspace, workspaceIds } from '../../config/workspaces.js'
import type { WorkspaceLimitsState } from '../../policies/workspace-limits/workspace-limits.js'
import { seesWorkspace } from '../../team/tenancy.js'
import { applying, conflict, notFound } from './admin-errors.js'
import { mergeFields } from './merge-fields.js'

/** The permissions the routes state (the team guard reads them); `as const` keeps each a Permission name. */
const READ = { permission: 'keys:read' } as const
const MANAGE = { permission: 'members:manage' } as const

/**
 * The workspaces of a config with their key counts, budgets and limits, and what each has spent in its budget's
 * period; `default` first, the others by id.
 */
function workspaceItems(cfg: GatewayConfig, limits: WorkspaceLimitsState): WorkspaceItem[] {
  const counts = new Map<string, number>()
  for (const k of cfg.keys ?? []) counts.set(keyWorkspace(k), (counts.get(keyWorkspace(k)) ?? 0) + 1)
  return [...workspaceIds(cfg)]
    .sort((a, b) => (a === DEFAULT_WORKSPACE ? -1 : b === DEFAULT_WORKSPACE ? 1 : a.localeCompare(b)))
    .map((id) => {
      const ws = cfg.workspaces?.[id]
      return {
        id,
        name: ws?.name ?? (id === DEFAULT_WORKSPACE ? 'Default' : id),
        ...(ws?.description === undefined ? {} : { description: ws.description }),
        keyCount: counts.get(id) ?? 0,
        configured: ws !== undefined,
        ...(ws?.budget === undefined ? {} : { budget: ws.budget, spent: limits.spent(id) ?? 0 }),
        ...(ws?.limits === undefined ? {} : { limits: ws.limits }),
      }
    })
}

/** What still names a workspace: a removal would leave it pointing nowhere. */
function usersOf(cfg: GatewayConfig, id: string): { keys: string[]; providers: string[]; routes: string[] } {
  return {
    keys: (cfg.keys ?? []).filter((k) => keyWorkspace(k) === id).map((k) => k.name),
    providers: Object.entries(cfg.providers ?? {})
      .filter(([, p]) => p.workspaces?.includes(id))
      .map(([pid]) => pid),
    routes: Object.entries(cfg.routes ?? {})
      .filter(([, r]) => r.workspaces?.includes(id))
      .map(([name]) => name),
  }
}

/**
 * /admin/v1/workspaces: the config's `workspaces:` section. GET lists them (with `default`, which always exists),
 * how many keys each has, its budget and limits and what it has spent; PUT creates one or changes the fields it
 * gives (name, description, budget, limits: a field left out stays, `null` removes it); DELETE removes one no key,
 * provider or route names (409 otherwise). Changes go through the ConfigStore like every config write, so the
 * audit trail records them.
 */
export function registerWorkspaceRoutes(app: FastifyInstance, store: ConfigStore): void {
  app.get('/admin/v1/workspaces', { schema: { querystring: WorkspacesQuerySchema }, config: READ }, async (req) => {
    // A member lists only their own workspaces (tenancy.ts): the others' names and key counts are not theirs.
    const items = workspaceItems(store.current.raw, app.gateway.policies.workspaces).filter((w) =>
      seesWorkspace(req.principal, w.id),
    )
    return { items, total: items.length, nextCursor: null }
  })

  app.put<{ Params: WorkspaceParams; Body: WorkspacePutBody }>(
    '/admin/v1/workspaces/:id',
    {
      schema: { params: WorkspaceParamsSchema, body: WorkspacePutBodySchema },
      config: MANAGE,
    },
    async (req, reply) => {
      const { id } = req.params
      const existed = store.current.raw.workspaces?.[id] !== undefined
      // Laid over the stored entry: a client that shows only the name keeps the budget and limits it did not send.
      // The config's own validation then checks the whole (a downgrade model's provider must exist).
      applying(() =>
        store.update((d) => {
          d.workspaces = { ...d.workspaces, [id]: mergeFields<Workspace>(d.workspaces?.[id], req.body) }
        }),
      )
      const item = workspaceItems(store.current.raw, app.gateway.policies.workspaces).find((w) => w.id === id)
      return reply.code(existed ? 200 : 201).send(item)
    },
  )

  app.delete<{ Params: WorkspaceParams }>(
    '/admin/v1/workspaces/:id',
    { schema: { params: WorkspaceParamsSchema }, config: MANAGE },
    async (req, reply) => {
      const { id } = req.params
      const cfg = store.current.raw
      if (id === DEFAULT_WORKSPACE) {
        throw conflict(`workspace '${DEFAULT_WORKSPACE}' always exists and cannot be removed`, 'workspace_default')
      }
      if (cfg.workspaces?.[id] === undefined)
        throw notFound(`no workspace '${id}' is configured`, 'workspace_not_found')
      const users = usersOf(cfg, id)
      // Members and service accounts listing it too: deleted, it would come back to them were it made again.
      const { members, serviceAccounts } = req.server.team.workspaceUsers(id)
      const named = [
        users.keys.length > 0 && `keys ${users.keys.join(', ')}`,
        users.providers.length > 0 && `providers ${users.providers.join(', ')}`,
        users.routes.length > 0 && `routes ${users.routes.join(', ')}`,
        members.length > 0 && `members ${members.join(', ')}`,
        serviceAccounts.length > 0 && `service accounts ${serviceAccounts.join(', ')}`,
      ].filter(Boolean)
      if (named.length > 0) {
        throw conflict(
          `workspace '${id}' is still used by ${named.join('; ')}: move or remove them first`,
          'workspace_in_use',
        )
      }
      applying(() =>
        store.update((d) => {
          if (d.workspaces) delete d.workspaces[id]
          if (d.workspaces && Object.keys(d.workspaces).length === 0) delete d.workspaces
        }),
      )
      return reply.code(204).send()
    },
  )
}
