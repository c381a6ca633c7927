import type { FastifyInstance } from 'fastify'
import {
  McpActionBodySchema,
  McpServerCreateBodySchema,
  type McpServerInput,
  type McpServerParams,
  McpServerParamsSchema,
  McpServersQuerySchema,
  type McpServerUpdate,
  McpServerUpdateBodySchema,
  type McpTestBody,
  McpTestBodySchema,
  type McpTestResult,
} from '../../../src-shared/contract/mcp.js'
import { maskSecret } from '../../config/mask.js'
import type { McpServerConfig } from '../../config/schema.js'
import type { ConfigStore } from '../../config/store.js'
import type { McpHub } from '../../mcp/hub.js'
import { applying, conflict, invalidBody, notFound } from './admin-errors.js'
import { checkUnder } from './candidate-check.js'
import { mcpServerItem, promptView, resourceView, toolView } from './mcp-view.js'
import { mergeFields, withoutNulls } from './merge-fields.js'

type Values = Record<string, string>

/**
 * Env or header values from a body, over the stored ones: a value sent back as the admin API showed it (masked)
 * keeps what is stored (a reference, or the secret behind it); any other value is taken as given, and the
 * ConfigStore moves a plain one to the secret store (sealPlainSecrets), leaving a `${secret:…}` in the file.
 */
function keepMasked(given: Values, raw: Values | undefined, resolved: Values | undefined): Values {
  return Object.fromEntries(
    Object.entries(given).map(([name, value]) => {
      const was = resolved?.[name]
      return [name, was !== undefined && value === maskSecret(was) ? (raw?.[name] ?? was) : value]
    }),
  )
}

/** A server's config from a body laid over `previous` (mergeFields: left out stays, `null` removes). */
function toServerConfig(
  body: Omit<McpServerUpdate, 'name'>,
  previous: { raw?: McpServerConfig; resolved?: McpServerConfig },
): McpServerConfig {
  const { env, headers, ...fields } = body
  const cfg = mergeFields(previous.raw, fields) as McpServerConfig
  if (env === null) delete cfg.env
  else if (env) cfg.env = keepMasked(env, previous.raw?.env, previous.resolved?.env)
  if (headers === null) delete cfg.headers
  else if (headers) cfg.headers = keepMasked(headers, previous.raw?.headers, previous.resolved?.headers)
  return cfg
}

/**
 * /admin/v1/mcp: the MCP hub's upstream servers. Every change is a change to the config file's `mcp.servers`
 * through the ConfigStore (saved, audited by the admin scope's hooks, and applied live: the hub follows the
 * store's onApply); answers show each server's state from the hub and never an env or header value.
 */
export function registerMcpRoutes(app: FastifyInstance, store: ConfigStore, hub: () => McpHub): void {
  const item = (name: string) => mcpServerItem(name, store.current, hub())
  const found = (name: string) => {
    const it = item(name)
    if (!it) throw notFound(`no MCP server '${name}' is configured`, 'mcp_server_not_found')
    return it
  }

  /** The server in the config the change would make, checked there (the config's own rules), then saved. */
  const save = (name: string, cfg: McpServerConfig | undefined) => {
    const candidate = structuredClone(store.current.raw)
    const servers = { ...candidate.mcp?.servers }
    if (cfg) servers[name] = cfg
    else delete servers[name]
    candidate.mcp = { ...candidate.mcp, servers }
    if (cfg) checkUnder(candidate, `/mcp/servers/${name}`)
    applying(() =>
      store.update((d) => {
        d.mcp = { ...d.mcp, servers }
      }),
    )
  }

  app.get(
    '/admin/v1/mcp/servers',
    { config: { permission: 'settings:read' }, schema: { querystring: McpServersQuerySchema } },
    async () => {
      const items = Object.keys(store.current.raw.mcp?.servers ?? {}).map((name) => found(name))
      return { items, total: items.length, nextCursor: null }
    },
  )

  app.get<{ Params: McpServerParams }>(
    '/admin/v1/mcp/servers/:name',
    { config: { permission: 'settings:read' }, schema: { params: McpServerParamsSchema } },
    async (req) => found(req.params.name),
  )

  app.post<{ Body: McpServerInput }>(
    '/admin/v1/mcp/servers',
    { config: { permission: 'settings:write' }, schema: { body: McpServerCreateBodySchema } },
    async (req, reply) => {
      const { name, ...body } = withoutNulls(req.body)
      if (store.current.raw.mcp?.servers?.[name]) {
        throw conflict(`MCP server '${name}' already exists; use PUT to change it`, 'mcp_server_exists', 'name')
      }
      save(name, toServerConfig(body, {}))
      return reply.code(201).send(found(name))
    },
  )

  app.put<{ Params: McpServerParams; Body: McpServerUpdate }>(
    '/admin/v1/mcp/servers/:name',
    {
      config: { permission: 'settings:write' },
      schema: { params: McpServerParamsSchema, body: McpServerUpdateBodySchema },
    },
    async (req) => {
      const { name } = req.params
      const { name: renamed, ...body } = req.body
      if (renamed !== undefined && renamed !== null && renamed !== name) {
        throw invalidBody([
          { path: '/name', message: `does not match the server in the URL ('${name}'); servers cannot be renamed` },
        ])
      }
      const raw = store.current.raw.mcp?.servers?.[name]
      if (!raw) throw notFound(`no MCP server '${name}' is configured`, 'mcp_server_not_found')
      save(name, toServerConfig(body, { raw, resolved: store.current.resolved.mcp?.servers?.[name] }))
      return found(name)
    },
  )

  app.delete<{ Params: McpServerParams }>(
    '/admin/v1/mcp/servers/:name',
    { config: { permission: 'settings:write' }, schema: { params: McpServerParamsSchema } },
    async (req, reply) => {
      found(req.params.name)
      save(req.params.name, undefined)
      return reply.code(204).send()
    },
  )

  for (const action of ['enable', 'disable'] as const) {
    app.post<{ Params: McpServerParams }>(
      `/admin/v1/mcp/servers/:name/${action}`,
      {
        config: { permission: 'settings:write' },
        schema: { params: McpServerParamsSchema, body: McpActionBodySchema },
      },
      async (req) => {
        const { name } = req.params
        const raw = store.current.raw.mcp?.servers?.[name]
        if (!raw) throw notFound(`no MCP server '${name}' is configured`, 'mcp_server_not_found')
        if ((raw.enabled !== false) !== (action === 'enable')) save(name, { ...raw, enabled: action === 'enable' })
        return found(name)
      },
    )
  }

  /**
   * Connects to a config not saved yet, lists what it offers and disconnects (the page's Test). With the `name`
   * of a saved server, masked values stand for its stored ones, so an edit is tested with its real secrets.
   */
  app.post<{ Body: McpTestBody }>(
    '/admin/v1/mcp/test',
    { config: { permission: 'settings:write' }, schema: { body: McpTestBodySchema } },
    async (req): Promise<McpTestResult> => {
      const { name, env, headers, ...fields } = withoutNulls(req.body)
      const raw = name === undefined ? undefined : store.current.raw.mcp?.servers?.[name]
      const resolved = name === undefined ? undefined : store.current.resolved.mcp?.servers?.[name]
      // A masked value stands for the saved server's own; the hub resolves its references as that server's only.
      const cfg = { ...fields } as McpServerConfig
      if (env) cfg.env = keepMasked(env, raw?.env, resolved?.env)
      if (headers) cfg.headers = keepMasked(headers, raw?.headers, resolved?.headers)
      const checkedAs = name ?? 'test'
      const candidate = structuredClone(store.current.raw)
      candidate.mcp = { ...candidate.mcp, servers: { ...candidate.mcp?.servers, [checkedAs]: cfg } }
      checkUnder(candidate, `/mcp/servers/${checkedAs}`)
      const started = performance.now()
      const result = await hub().test(cfg, undefined, name ?? '')
      const latencyMs = Math.round(performance.now() - started)
      if (!result.ok) return { ok: false, latencyMs, error: result.error }
      return {
        ok: true,
        latencyMs,
        tools: result.tools.map(toolView),
        prompts: result.prompts.map(promptView),
        resources: result.resources.map(resourceView),
        serverInfo: result.serverInfo ?? null,
      }
    },
  )
}
