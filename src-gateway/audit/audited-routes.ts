import type { FastifyRequest } from 'fastify'

/** What else than the config a route can change, snapshotted around it for the diff. */
export type AuditScope = 'prompt' | 'prompts' | 'gateway'

/** How one admin route's changes are recorded. */
export interface AuditedRoute {
  /** The action, or how to tell it from the call (a PUT that created answers 201). */
  action: string | ((req: FastifyRequest, status: number) => string)
  target: (req: FastifyRequest) => string | null
  /** `prompt`: the prompt named in the URL; `prompts`: the whole library; `gateway`: the pause switch. */
  scope?: AuditScope
}

const param = (name: string) => (req: FastifyRequest) => (req.params as Record<string, string>)[name] ?? null
const bodyField = (name: string) => (req: FastifyRequest) => {
  const v = (req.body as Record<string, unknown> | undefined)?.[name]
  return typeof v === 'string' ? v : null
}
const none = () => null

/**
 * The admin routes that change state, by method and route pattern. Any other mutating /admin route that
 * changes the config is still recorded, as `config.update` (see audit-log.ts), so a route added later is
 * never silently missed.
 */
export const AUDITED_ROUTES: Record<string, AuditedRoute> = {
  'POST /admin/v1/keys': { action: 'key.create', target: bodyField('name') },
  'PUT /admin/v1/keys/:name': { action: 'key.update', target: param('name') },
  'POST /admin/v1/keys/:name/rotate': { action: 'key.rotate', target: param('name') },
  'DELETE /admin/v1/keys/:name': { action: 'key.revoke', target: param('name') },
  'POST /admin/v1/providers': { action: 'provider.create', target: bodyField('id') },
  'PUT /admin/v1/providers/:id': { action: 'provider.update', target: param('id') },
  'DELETE /admin/v1/providers/:id': { action: 'provider.delete', target: param('id') },
  'PUT /admin/v1/workspaces/:id': {
    action: (_req, status) => (status === 201 ? 'workspace.create' : 'workspace.update'),
    target: param('id'),
  },
  'DELETE /admin/v1/workspaces/:id': { action: 'workspace.delete', target: param('id') },
  'POST /admin/v1/mcp/servers': { action: 'mcp.server.create', target: bodyField('name') },
  'PUT /admin/v1/mcp/servers/:name': { action: 'mcp.server.update', target: param('name') },
  'DELETE /admin/v1/mcp/servers/:name': { action: 'mcp.server.delete', target: param('name') },
  'POST /admin/v1/mcp/servers/:name/enable': { action: 'mcp.server.enable', target: param('name') },
  'POST /admin/v1/mcp/servers/:name/disable': { action: 'mcp.server.disable', target: param('name') },
  'PUT /admin/v1/routes/:name': {
    action: (_req, status) => (status === 201 ? 'route.create' : 'route.update'),
    target: param('name'),
  },
  'DELETE /admin/v1/routes/:name': { action: 'route.delete', target: param('name') },
  'POST /admin/v1/config/import': { action: 'config.import', target: none, scope: 'prompts' },
  'PUT /admin/v1/settings': { action: 'settings.update', target: none },
  'PUT /admin/v1/policies/:section': { action: 'policy.update', target: param('section') },
  'PUT /admin/v1/gateway': {
    action: (req) => ((req.body as { paused?: boolean }).paused ? 'gateway.pause' : 'gateway.resume'),
    target: none,
    scope: 'gateway',
  },
  'POST /admin/v1/prompts/:name/versions': { action: 'prompt.version', target: param('name'), scope: 'prompt' },
  'PUT /admin/v1/prompts/:name/labels/:label': { action: 'prompt.label', target: param('name'), scope: 'prompt' },
  'DELETE /admin/v1/prompts/:name/labels/:label': { action: 'prompt.label', target: param('name'), scope: 'prompt' },
  'DELETE /admin/v1/prompts/:name': { action: 'prompt.delete', target: param('name'), scope: 'prompt' },
  'POST /admin/v1/backups/:id/restore': { action: 'backup.restore', target: param('id'), scope: 'prompts' },
}
