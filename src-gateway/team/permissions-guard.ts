import type { Server } from 'node:http'
import type { FastifyInstance } from 'fastify'
import {
  can,
  isRoutePermission,
  PERMISSIONS,
  type RoutePermission,
  SELF,
} from '../../src-shared/contract/permissions.js'
import { GatewayError } from '../core/errors.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission an /admin route needs (src-shared/contract/permissions.ts); every admin route states one. */
    permission?: RoutePermission
  }
}

/** One admin route and the permission it needs, as registered. */
export interface AdminRoute {
  method: string
  url: string
  permission: RoutePermission
}

// The admin scope is encapsulated: its table is found through the HTTP server the whole app shares.
const tables = new WeakMap<object, AdminRoute[]>()

/** Every route the permission guard covers (for the permission matrix test and the docs). */
export function adminRoutesOf(app: { server: Server }): readonly AdminRoute[] {
  return tables.get(app.server) ?? []
}

/**
 * Registered in the admin scope right after the auth guard (which sets `req.principal`). A route in the
 * scope without `config.permission` fails the gateway's start, so no new admin route can be forgotten; a
 * call whose principal's role lacks the route's permission gets a 403 `forbidden` before its body is read.
 * Solo mode's only principal is the admin token's owner, who has every permission.
 */
export function registerPermissionsGuard(scope: FastifyInstance): void {
  const table: AdminRoute[] = []
  tables.set(scope.server, table)

  scope.addHook('onRoute', (route) => {
    const permission = route.config?.permission
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    if (!isRoutePermission(permission)) {
      throw new Error(
        `admin route ${methods.join(',')} ${route.url} states no known permission: give it config: { permission } ` +
          `with one of ${[...PERMISSIONS, SELF].join(', ')}`,
      )
    }
    for (const method of methods) table.push({ method, url: route.url, permission })
  })

  scope.addHook('onRequest', async (req) => {
    const permission = req.routeOptions.config?.permission
    if (permission === SELF) return
    const principal = req.principal
    // Closed by default: a route without a permission (onRoute makes that impossible) is refused to everyone.
    if (permission !== undefined && principal !== undefined && can(principal, permission)) return
    throw new GatewayError(
      'permission',
      `this needs the permission ${permission}, which the ${principal?.role ?? 'unknown'} role does not have`,
      { code: 'forbidden' },
    )
  })
}
