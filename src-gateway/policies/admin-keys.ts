import type { FastifyInstance } from 'fastify'
import type { Policies } from './policies.js'

/** GET /admin/v1/keys: the configured virtual keys, masked, with each budget's spend this period. */
export function registerAdminKeys(app: FastifyInstance, policies: Policies): void {
  app.get('/admin/v1/keys', async () => {
    const items = policies.list()
    return { items, total: items.length, nextCursor: null }
  })
}
