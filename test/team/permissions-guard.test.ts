import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { registerErrorHandling } from '../../src-gateway/api/error-handler.js'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { adminRoutesOf, registerPermissionsGuard } from '../../src-gateway/team/permissions-guard.js'
import type { Principal } from '../../src-gateway/team/principal.js'
import { ROLE_PERMISSIONS } from '../../src-shared/contract/permissions.js'
import { ROLES, type Role } from '../../src-shared/contract/team.js'
import { startGateway, type TestGateway } from '../helpers/gateway.js'

const principalOf = (role: Role): Principal => ({
  kind: 'person',
  id: `p-${role}`,
  name: role,
  role,
  workspaces: 'all',
  via: 'session',
})

/** A scope shaped like the admin scope: a stand-in auth guard that takes the role from a header, then the guard. */
async function scopeWith(routes: (scope: FastifyInstance) => void): Promise<FastifyInstance> {
  const app = Fastify()
  registerErrorHandling(app)
  app.register(async (scope) => {
    scope.addHook('onRequest', async (req) => {
      req.principal = principalOf(req.headers['x-role'] as Role)
    })
    registerPermissionsGuard(scope)
    routes(scope)
  })
  await app.ready()
  return app
}

let gw: TestGateway | undefined
afterEach(async () => {
  await gw?.close()
  gw = undefined
})

describe('the permissions guard', () => {
  it('refuses to start with an admin route that states no permission, naming the route', async () => {
    const app = Fastify()
    app.register(async (scope) => {
      registerPermissionsGuard(scope)
      scope.get('/admin/v1/forgotten', async () => ({ ok: true }))
    })
    await expect(app.ready()).rejects.toThrow(/GET \/admin\/v1\/forgotten states no known permission/)
  })

  it('refuses a permission name that is not in the table', async () => {
    const app = Fastify()
    app.register(async (scope) => {
      registerPermissionsGuard(scope)
      // A typo the type system would catch; a plain-JS route or a cast must fail too.
      scope.get('/admin/v1/typo', { config: { permission: 'log:read' as never } }, async () => ({}))
    })
    await expect(app.ready()).rejects.toThrow(/no known permission/)
  })

  it('covers routes registered in nested plugins of the scope', async () => {
    const app = Fastify()
    app.register(async (scope) => {
      registerPermissionsGuard(scope)
      scope.register(async (inner) => {
        inner.post('/admin/v1/inner', async () => ({}))
      })
    })
    await expect(app.ready()).rejects.toThrow(/POST \/admin\/v1\/inner/)
  })

  it('lets a role call a route whose permission it has, and answers 403 forbidden naming the permission and role otherwise', async () => {
    const app = await scopeWith((scope) => {
      scope.get('/admin/v1/audit-like', { config: { permission: 'audit:read' } }, async () => ({ ok: true }))
      scope.get('/admin/v1/me-like', { config: { permission: 'self' } }, async () => ({ ok: true }))
    })
    for (const role of ROLES) {
      const res = await app.inject({ url: '/admin/v1/audit-like', headers: { 'x-role': role } })
      if (ROLE_PERMISSIONS[role].includes('audit:read')) expect(res.statusCode, role).toBe(200)
      else {
        expect(res.statusCode, role).toBe(403)
        expect(res.json().error).toMatchObject({ code: 'forbidden' })
        expect(res.json().error.message).toContain('audit:read')
        expect(res.json().error.message).toContain(role)
      }
      const self = await app.inject({ url: '/admin/v1/me-like', headers: { 'x-role': role } })
      expect(self.statusCode, role).toBe(200)
    }
    await app.close()
  })

  it('refuses a role it does not know (one a newer version wrote) with 403, not an error', async () => {
    const app = await scopeWith((scope) => {
      scope.get('/admin/v1/read', { config: { permission: 'logs:read' } }, async () => ({ ok: true }))
    })
    const res = await app.inject({ url: '/admin/v1/read', headers: { 'x-role': 'superuser' } })
    expect(res.statusCode).toBe(403)
    expect(res.json().error.code).toBe('forbidden')
    await app.close()
  })

  it('refuses before the body is read or validated', async () => {
    let handled = false
    const app = await scopeWith((scope) => {
      scope.post(
        '/admin/v1/change',
        {
          config: { permission: 'settings:write' },
          schema: { body: { type: 'object', required: ['x'], properties: { x: { type: 'string' } } } },
        },
        async () => {
          handled = true
          return {}
        },
      )
    })
    const res = await app.inject({
      method: 'POST',
      url: '/admin/v1/change',
      headers: { 'x-role': 'viewer' },
      payload: {},
    })
    expect(res.statusCode).toBe(403)
    expect(handled).toBe(false)
    await app.close()
  })

  it('answers a request for an unknown admin path 404 (not 403) whatever the role', async () => {
    gw = await startGateway('providers: {}\n')
    const res = await gw.admin('/admin/v1/no-such-thing')
    expect(res.status).toBe(404)
  })

  it('collects every admin route of the gateway with its permission, and every /admin route is covered', async () => {
    const registered: string[] = []
    const app = buildGateway(parseConfig('providers: {}\n', 'yaml', {}), { webRoot: false })
    app.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) if (r.url.startsWith('/admin')) registered.push(`${m} ${r.url}`)
    })
    await app.ready()
    const table = adminRoutesOf(app)
    expect(table.map((r) => `${r.method} ${r.url}`).sort()).toEqual(registered.sort())
    expect(table.find((r) => r.method === 'GET' && r.url === '/admin/v1/logs/:id')?.permission).toBe('logs:read')
    expect(table.find((r) => r.method === 'POST' && r.url === '/admin/v1/config/import')?.permission).toBe(
      'settings:write',
    )
    await app.close()
  })
})
