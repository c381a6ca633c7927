import type { PrincipalView, Role } from './team.js'

/**
 * What a role may do in team mode (issue 21). Every /admin route names the one permission it needs in its
 * route options (`config: { permission }`); the gateway refuses a call whose principal's role lacks it
 * (src-gateway/team/permissions-guard.ts). The renderer reads the same table to hide what a role cannot use.
 * Which workspaces' data a permission reaches is the principal's `workspaces`, not the role.
 */
export const PERMISSIONS = [
  'logs:read',
  'logs:bodies',
  'providers:read',
  'providers:write',
  'routes:read',
  'routes:write',
  'keys:read',
  'keys:write',
  'prompts:read',
  'prompts:write',
  'compare:run',
  'alerts:read',
  'alerts:write',
  'settings:read',
  'settings:write',
  'audit:read',
  'members:manage',
  'portal:read',
  'access:request',
  'access:decide',
] as const
export type Permission = (typeof PERMISSIONS)[number]

/** What each permission covers, as docs/team.md's table says it (a test keeps the two the same). */
export const PERMISSION_COVERS: Record<Permission, string> = {
  'logs:read': 'request log metadata (models, tokens, status, latency), stats, costs, sessions and projects',
  'logs:bodies': 'request and response bodies in the log, searching them, and tool call arguments and results',
  'providers:read': 'providers, their models, provider types and prices',
  'providers:write': 'add, change, test, discover and remove providers',
  'routes:read': 'routes and the models they offer',
  'routes:write': 'add, change and remove routes',
  'keys:read': 'virtual keys (never their values) and what each one may reach',
  'keys:write': 'create, change, rotate and revoke virtual keys',
  'prompts:read': 'prompts, their versions, labels, renders and stats',
  'prompts:write': 'save, label and delete prompts',
  'compare:run': 'comparisons and their runs, the Playground, replays, feedback and Playground tool calls',
  'alerts:read': 'alerts',
  'alerts:write': 'acknowledge alerts',
  'settings:read': 'gateway info and settings, policies, the pause switch, cache status and MCP servers',
  'settings:write':
    'change settings and policies, pause the gateway, flush the cache, edit MCP servers, import and export the config, backups',
  'audit:read': 'the audit trail',
  'members:manage': 'members, service accounts and workspaces',
  'portal:read': 'the model portal: what a workspace may call',
  'access:request': 'ask for access to a model or route',
  'access:decide': 'approve or deny access requests',
}

/**
 * Owners and admins may do everything (only an owner may create, change or remove an owner: checked where
 * members change); developers read everything, see bodies, make keys in their workspaces, edit prompts
 * and run comparisons, and acknowledge their workspaces' alerts; viewers read metadata only: no bodies, no audit trail.
 */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  owner: PERMISSIONS,
  admin: PERMISSIONS,
  developer: [
    'logs:read',
    'logs:bodies',
    'providers:read',
    'routes:read',
    'keys:read',
    'keys:write',
    'prompts:read',
    'prompts:write',
    'compare:run',
    'alerts:read',
    'alerts:write',
    'settings:read',
    'audit:read',
    'portal:read',
    'access:request',
  ],
  viewer: [
    'logs:read',
    'providers:read',
    'routes:read',
    'keys:read',
    'prompts:read',
    'alerts:read',
    'settings:read',
    'portal:read',
    'access:request',
  ],
}

/** Whether a principal's role grants a permission; a role this version does not know grants nothing. */
export function can(principal: Pick<PrincipalView, 'role'>, permission: Permission): boolean {
  // Roles come from the database: one written by a newer version may name a role this table lacks.
  return ROLE_PERMISSIONS[principal.role]?.includes(permission) ?? false
}

/**
 * A route option beside the permissions: the route acts only on the caller's own account (`/admin/v1/me`),
 * so every principal may call it.
 */
export const SELF = 'self'
/** What an /admin route's `config.permission` may say. */
export type RoutePermission = Permission | typeof SELF

export function isRoutePermission(value: unknown): value is RoutePermission {
  return value === SELF || (PERMISSIONS as readonly unknown[]).includes(value)
}
