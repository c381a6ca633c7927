import type { FastifyInstance, FastifyRequest } from 'fastify'
import {
  ProviderCreateBodySchema,
  type ProviderInput,
  type ProviderParams,
  ProviderParamsSchema,
  ProvidersQuerySchema,
  type ProviderTestBody,
  ProviderTestBodySchema,
  type ProviderUpdate,
  ProviderUpdateBodySchema,
} from '../../../src-shared/contract/providers.js'
import { maskSecret } from '../../config/mask.js'
import type { ProviderConfig } from '../../config/schema.js'
import { secretRef } from '../../config/secret-fields.js'
import type { ConfigStore } from '../../config/store.js'
import { sharedWithAny } from '../../config/workspaces.js'
import type { GatewayContext } from '../../gateway-context.js'
import { visibleWorkspaces } from '../../team/tenancy.js'
import { applying, conflict, invalidBody, notFound } from './admin-errors.js'
import { checkUnder } from './candidate-check.js'
import { mergeFields, withoutNulls } from './merge-fields.js'
import { testProvider } from './provider-test.js'
import { providerItem } from './provider-view.js'

/**
 * A provider's config from a request body laid over `previous` (see mergeFields: a field left out stays, `null`
 * removes it). The key goes to the secret store (`secretUpdates`) and the config gets a reference; a key left
 * out stays, unless the baseUrl now points at another origin: then the ConfigStore drops what the body did not
 * supply. `local: null` goes back to the type's default.
 */
function toProviderConfig(
  id: string,
  body: ProviderUpdate,
  previous: { raw?: ProviderConfig; resolved?: ProviderConfig },
  secretUpdates: Map<string, string | null>,
): ProviderConfig {
  if (body.apiKey && body.apiKeyEnv) {
    throw invalidBody([{ path: '/apiKeyEnv', message: 'give apiKey or apiKeyEnv, not both' }])
  }
  const { id: _id, apiKey, apiKeyEnv, headers, ...fields } = body
  const cfg = mergeFields(previous.raw, fields) as ProviderConfig
  const keyName = `providers.${id}.apiKey`
  if (apiKeyEnv) cfg.apiKey = `\${env:${apiKeyEnv}}`
  else if (apiKey) {
    cfg.apiKey = secretRef(keyName)
    secretUpdates.set(keyName, apiKey)
  } else if (apiKey === null) delete cfg.apiKey
  if (headers === null) delete cfg.headers
  else if (headers) {
    // The UI shows every header value masked; sending the masked value back means "unchanged".
    cfg.headers = Object.fromEntries(
      Object.entries(headers).map(([name, value]) => {
        const was = previous.resolved?.headers?.[name]
        return [name, was !== undefined && value === maskSecret(was) ? (previous.raw?.headers?.[name] ?? was) : value]
      }),
    )
  }
  return cfg
}

/**
 * /admin/v1/providers: list, create, replace, delete and test configured providers. A member reads only the
 * providers shared with one of their workspaces; another workspace's own provider is not found, as if absent.
 */
export function registerProviderRoutes(app: FastifyInstance, gw: GatewayContext, store: ConfigStore): void {
  const item = (id: string) => providerItem(id, store.current, gw)
  const visibleTo = (req: FastifyRequest, id: string) =>
    sharedWithAny(store.current.raw.providers?.[id]?.workspaces, visibleWorkspaces(req.principal))
  /**
   * A provider just added or changed, with its models: the answer waits for the listing the config change
   * started (bounded by the catalog's listing timeout), so the UI does not show a new provider as "0 models".
   */
  const listedItem = async (id: string) => {
    const provider = gw.providers.get(id)
    if (provider) await gw.catalog.refresh(provider)
    return item(id)
  }

  app.get(
    '/admin/v1/providers',
    { config: { permission: 'providers:read' }, schema: { querystring: ProvidersQuerySchema } },
    async (req) => {
      const items = Object.keys(store.current.raw.providers ?? {})
        .filter((id) => visibleTo(req, id))
        .map(item)
      return { items, total: items.length, nextCursor: null }
    },
  )

  app.get<{ Params: ProviderParams }>(
    '/admin/v1/providers/:id',
    { config: { permission: 'providers:read' }, schema: { params: ProviderParamsSchema } },
    async (req) => {
      const found = visibleTo(req, req.params.id) ? item(req.params.id) : undefined
      if (!found) throw notFound(`no provider '${req.params.id}' is configured`, 'provider_not_found')
      return found
    },
  )

  /**
   * The provider in the config the change would make, checked there (its type among the registry's, a setting
   * of its own type, a base URL where the type needs one) at the body's fields, then applied and saved.
   */
  const save = (id: string, cfg: ProviderConfig, secrets: Map<string, string | null>, given: string[] = []) => {
    const candidate = structuredClone(store.current.raw)
    candidate.providers = { ...candidate.providers, [id]: cfg }
    checkUnder(candidate, `/providers/${id}`)
    applying(() =>
      store.update(
        (d) => {
          d.providers = { ...d.providers, [id]: cfg }
        },
        secrets,
        given,
      ),
    )
  }

  app.post<{ Body: ProviderInput }>(
    '/admin/v1/providers',
    { config: { permission: 'providers:write' }, schema: { body: ProviderCreateBodySchema } },
    async (req, reply) => {
      const body = withoutNulls(req.body)
      if (store.current.raw.providers?.[body.id]) {
        throw conflict(`provider '${body.id}' already exists; use PUT to change it`, 'provider_exists', 'id')
      }
      const secrets = new Map<string, string | null>()
      save(body.id, toProviderConfig(body.id, body, {}, secrets), secrets)
      return reply.code(201).send(await listedItem(body.id))
    },
  )

  app.put<{ Params: ProviderParams; Body: ProviderUpdate }>(
    '/admin/v1/providers/:id',
    {
      config: { permission: 'providers:write' },
      schema: { params: ProviderParamsSchema, body: ProviderUpdateBodySchema },
    },
    async (req) => {
      const { id } = req.params
      const body = req.body
      if (body.id !== undefined && body.id !== null && body.id !== id) {
        throw invalidBody([
          { path: '/id', message: `does not match the provider in the URL ('${id}'); providers cannot be renamed` },
        ])
      }
      const raw = store.current.raw.providers?.[id]
      if (!raw) throw notFound(`no provider '${id}' is configured`, 'provider_not_found')
      const secrets = new Map<string, string | null>()
      const cfg = toProviderConfig(id, body, { raw, resolved: store.current.resolved.providers?.[id] }, secrets)
      // A variable named again is a key given in this request, even when it is the same one as before.
      save(id, cfg, secrets, body.apiKeyEnv ? [`providers.${id}.apiKey`] : [])
      return listedItem(id)
    },
  )

  app.delete<{ Params: ProviderParams }>(
    '/admin/v1/providers/:id',
    { config: { permission: 'providers:write' }, schema: { params: ProviderParamsSchema } },
    async (req, reply) => {
      const { id } = req.params
      if (!store.current.raw.providers?.[id]) throw notFound(`no provider '${id}' is configured`, 'provider_not_found')
      const users = Object.entries(store.current.raw.routes ?? {})
        .filter(([, r]) => r.targets.some((t) => t.model.startsWith(`${id}/`)))
        .map(([name]) => name)
      if (users.length > 0) {
        throw conflict(
          `provider '${id}' is used by routes ${users.join(', ')}; change or delete them first`,
          'provider_in_use',
        )
      }
      applying(() => store.update((d) => void delete d.providers?.[id]))
      return reply.code(204).send()
    },
  )

  app.post<{ Params: ProviderParams; Body: ProviderTestBody }>(
    '/admin/v1/providers/:id/test',
    {
      config: { permission: 'providers:write' },
      schema: { params: ProviderParamsSchema, body: ProviderTestBodySchema },
    },
    async (req) => {
      const provider = gw.providers.get(req.params.id)
      if (!provider) throw notFound(`no provider '${req.params.id}' is configured`, 'provider_not_found')
      return testProvider(gw, provider, req.body?.model)
    },
  )
}
