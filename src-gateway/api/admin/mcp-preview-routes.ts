import type { FastifyInstance } from 'fastify'
import type { McpPreview, McpPreviewQuery } from '../../../src-shared/contract/mcp-preview.js'
import { McpPreviewQuerySchema } from '../../../src-shared/contract/mcp-preview.js'
import { buildCatalog } from '../../mcp/aggregate.js'
import type { McpHub } from '../../mcp/hub.js'
import { mcpAccessFor } from '../../mcp/permissions.js'
import { notFound } from './admin-errors.js'

/**
 * `GET /admin/v1/mcp/preview?key=NAME`: the tools `/mcp` offers a caller with that key, by the same catalog
 * and permission rules the endpoint lists with, so the Connect page can show what an agent set up with the
 * key will see before anyone runs one. Names and descriptions only: no key value, no server config.
 */
export function registerMcpPreview(app: FastifyInstance, hub: () => McpHub): void {
  app.get<{ Querystring: McpPreviewQuery }>(
    '/admin/v1/mcp/preview',
    { config: { permission: 'keys:read' }, schema: { querystring: McpPreviewQuerySchema } },
    async (req): Promise<McpPreview> => {
      const { key } = req.query
      const keys = app.gatewayConfig.resolved.keys
      if (key !== undefined && !keys?.some((k) => k.name === key)) {
        throw notFound(`no virtual key '${key}' is configured`, 'key_not_found')
      }
      const access = mcpAccessFor(key === undefined ? { kind: 'open' } : { kind: 'key', name: key }, keys)
      const statuses = hub().status()
      const tools = [...buildCatalog(statuses).tools]
        .filter(([name]) => access.tool(name))
        .map(([name, { server, item }]) => ({
          name,
          server,
          ...(item.description !== undefined && { description: item.description }),
          callable: !item.needsConfirmation || access.confirmed,
        }))
      const notReady = statuses
        .filter((s) => s.enabled && s.state !== 'ready')
        .map((s) => ({ name: s.name, state: s.state }))
      return { who: access.who, tools, notReady }
    },
  )
}
