import type { RouteOptions } from 'fastify'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import * as contract from '../../src-shared/contract/index.js'

/** Every value src-shared/contract exports: the schemas an admin route may validate its request with. */
const contractValues = new Set<unknown>(Object.values(contract))

describe('the admin contract', () => {
  it('every admin route validates its request with schemas from src-shared/contract', async () => {
    const app = buildGateway(parseConfig('{}', 'json', {}), { webRoot: false })
    const routes: RouteOptions[] = []
    app.addHook('onRoute', (route) => void routes.push(route))
    await app.ready()
    await app.close()

    const admin = routes.filter((r) => r.url.startsWith('/admin/') && r.method !== 'HEAD')
    expect(admin.length).toBeGreaterThan(40)
    const uncovered = admin
      .filter((r) => {
        const parts = [r.schema?.params, r.schema?.querystring, r.schema?.body].filter((s) => s !== undefined)
        // A call that sends a body states it, even when it is none (NoBodySchema).
        const bodyMissing = ['POST', 'PUT', 'PATCH'].includes(String(r.method)) && r.schema?.body === undefined
        return parts.length === 0 || bodyMissing || parts.some((s) => !contractValues.has(s))
      })
      .map((r) => `${r.method} ${r.url}`)
      .sort()
    // Every one: a route added without a contract schema (or with one of its own) is named here.
    expect(uncovered).toEqual([])
  })
})
