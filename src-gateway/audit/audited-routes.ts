import type { FastifyRequest } from 'fastify'
import type { GatewayConfig } from '../config/schema.js'
import { keyWorkspace } from '../config/workspaces.js'
import type { Db } from '../store/db.js'

/** What else than the config a route can change, snapshotted around it for the diff. */
export type AuditScope = 'prompt' | 'prompts' | 'gateway'

/** How one admin route's changes are recorded. */
export interface AuditedRoute {
  /** The action, or how to tell it from the call (a PUT that created answers 201). */
  action: string | ((req: FastifyRequest, status: number) => string)
  target: (req: FastifyRequest) => string | null
  /** `prompt`: the prompt named in the URL; `prompts`: the whole library; `gateway`: the pause switch. */
  scope?: AuditScope
  /**
   * The workspaces whose members may read the entry, in one state (asked before and after the change; the
   * answers are joined): `*` for config shared with every workspace. Absent or empty: owners and admins only.
   */
  workspaces?: (req: FastifyRequest, state: { config: GatewayConfig; db: Db }) => readonly string[]
}

/** Every workspace: an entry about config shared with all of them. */
export const ALL_WORKSPACES = '*'

const param = (name: string) => (req: FastifyRequest) => (req.params as Record<string, string>)[name] ?? null
const bodyField = (name: string) => (req: FastifyRequest) => {
  const v = (req.body as Record<string, unknown> | undefined)?.[name]
  return typeof v === 'string' ? v : null
}
const none = () => null

/** The workspace of the key the call names (URL, else body), in that state. */
const keyOf =
  (...names: ((req: FastifyRequest) => string | null)[]) =>
  (req: FastifyRequest, { config }: { config: GatewayConfig }) => {
    const wanted = new Set(names.map((n) => n(req)))
    return (config.keys ?? []).filter((k) => wanted.has(k.name)).map(keyWorkspace)
  }

/** Whom a provider or route is shared with in that state: its `workspaces`, or every one when it has none. */
const sharedConfig =
  (section: 'providers' | 'routes', name: (req: FastifyRequest) => string | null) =>
  (req: FastifyRequest, { config }: { config: GatewayConfig }) => {
    const n = name(req)
    const items: Record<string, { workspaces?: string[] }> = config[section] ?? {}
    if (n === null || !Object.hasOwn(items, n)) return []
    return items[n].workspaces ?? [ALL_WORKSPACES]
  }

/** The workspace of the prompt named in the URL (prompts.workspace), when it exists in that state. */
const promptOf = (req: FastifyRequest, { db }: { db: Db }) => {
  const row = db.prepare('SELECT workspace FROM prompts WHERE name = ?').get(param('name')(req)) as
    | { workspace: string }
    | undefined
  return row ? [row.workspace] : []
}

const workspaceParam = (req: FastifyRequest) => [param('id')(req)].filter((w) => w !== null)

/**
 * The admin routes that change state, by method and route pattern. Any other mutating /admin route that
 * changes the config is still recorded, as `config.update` (see audit-log.ts), so a route added later is
 * never silently missed.
 */
export const AUDITED_ROUTES: Record<string, AuditedRoute> = {
  'POST /admin/v1/keys': { action: 'key.create', target: bodyField('name'), workspaces: keyOf(bodyField('name')) },
  'PUT /admin/v1/keys/:name': {
    action: 'key.update',
    target: param('name'),
    workspaces: keyOf(param('name'), bodyField('name')),
  },
  'POST /admin/v1/keys/:name/rotate': { action: 'key.rotate', target: param('name'), workspaces: keyOf(param('name')) },
  'DELETE /admin/v1/keys/:name': { action: 'key.revoke', target: param('name'), workspaces: keyOf(param('name')) },
  'POST /admin/v1/providers': {
    action: 'provider.create',
    target: bodyField('id'),
    workspaces: sharedConfig('providers', bodyField('id')),
  },
  'PUT /admin/v1/providers/:id': {
    action: 'provider.update',
    target: param('id'),
    workspaces: sharedConfig('providers', param('id')),
  },
  'DELETE /admin/v1/providers/:id': {
    action: 'provider.delete',
    target: param('id'),
    workspaces: sharedConfig('providers', param('id')),
  },
  'PUT /admin/v1/workspaces/:id': {
    action: (_req, status) => (status === 201 ? 'workspace.create' : 'workspace.update'),
    target: param('id'),
    workspaces: workspaceParam,
  },
  'DELETE /admin/v1/workspaces/:id': { action: 'workspace.delete', target: param('id'), workspaces: workspaceParam },
  'POST /admin/v1/mcp/servers': { action: 'mcp.server.create', target: bodyField('name') },
  'PUT /admin/v1/mcp/servers/:name': { action: 'mcp.server.update', target: param('name') },
  'DELETE /admin/v1/mcp/servers/:name': { action: 'mcp.server.delete', target: param('name') },
  'POST /admin/v1/mcp/servers/:name/enable': { action: 'mcp.server.enable', target: param('name') },
  'POST /admin/v1/mcp/servers/:name/disable': { action: 'mcp.server.disable', target: param('name') },
  'PUT /admin/v1/routes/:name': {
    action: (_req, status) => (status === 201 ? 'route.create' : 'route.update'),
    target: param('name'),
    workspaces: sharedConfig('routes', param('name')),
  },
  'DELETE /admin/v1/routes/:name': {
    action: 'route.delete',
    target: param('name'),
    workspaces: sharedConfig('routes', param('name')),
  },
  'POST /admin/v1/config/import': { action: 'config.import', target: none, scope: 'prompts' },
  'PUT /admin/v1/settings': { action: 'settings.update', target: none },
  'PUT /admin/v1/policies/:section': { action: 'policy.update', target: param('section') },
  'PUT /admin/v1/gateway': {
    action: (req) => ((req.body as { paused?: boolean }).paused ? 'gateway.pause' : 'gateway.resume'),
    target: none,
    scope: 'gateway',
  },
  'POST /admin/v1/prompts/:name/versions': {
    action: 'prompt.version',
    target: param('name'),
    scope: 'prompt',
    workspaces: promptOf,
  },
  'PUT /admin/v1/prompts/:name/labels/:label': {
    action: 'prompt.label',
    target: param('name'),
    scope: 'prompt',
    workspaces: promptOf,
  },
  'DELETE /admin/v1/prompts/:name/labels/:label': {
    action: 'prompt.label',
    target: param('name'),
    scope: 'prompt',
    workspaces: promptOf,
  },
  'DELETE /admin/v1/prompts/:name': {
    action: 'prompt.delete',
    target: param('name'),
    scope: 'prompt',
    workspaces: promptOf,
  },
  'POST /admin/v1/backups/:id/restore': { action: 'backup.restore', target: param('id'), scope: 'prompts' },
}
