import type { FastifyInstance } from 'fastify'
import { type Static, Type } from 'typebox'
import {
  type ProviderParams,
  ProviderParamsSchema,
  ProvidersQuerySchema,
} from '../../../src-shared/contract/providers.js'
import { maskSecret } from '../../config/mask.js'
import { type ProviderConfig, ProviderConfigSchema } from '../../config/schema.js'
import { secretRef } from '../../config/secret-fields.js'
import type { ConfigStore } from '../../config/store.js'
import { compileProblems } from '../../config/validate.js'
import type { GatewayContext } from '../../gateway-context.js'
import { applying, conflict, invalidBody, notFound } from './admin-errors.js'
import { mergeFields, withoutNulls } from './merge-fields.js'
import { testProvider } from './provider-test.js'
import { providerItem } from './provider-view.js'

const P = ProviderConfigSchema.properties
const ProviderFields = {
  type: P.type,
  baseUrl: P.baseUrl,
  /** The key itself: stored in the secret store, never written to the config file or returned. */
  apiKey: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  /** Or the name of an environment variable holding it. */
  apiKeyEnv: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' })),
  headers: P.headers,
  models: P.models,
  timeouts: P.timeouts,
  maxConnections: P.maxConnections,
  tags: P.tags,
  limits: P.limits,
  /** Free and counted as local; null goes back to the type's default, absent keeps what was set. */
  local: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
}
const CreateBody = Type.Object(
  { id: Type.String({ pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]*$', maxLength: 64 }), ...ProviderFields },
  { additionalProperties: false },
)
const UpdateBody = Type.Object({ id: Type.Optional(Type.String()), ...ProviderFields }, { additionalProperties: false })
type Body = Static<typeof UpdateBody>

const createProblems = compileProblems(CreateBody)
const updateProblems = compileProblems(UpdateBody)
const TestBody = Type.Object({ model: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false })
const testProblems = compileProblems(TestBody)

/**
 * A provider's config from a request body laid over `previous` (see mergeFields: a field left out stays, `null`
 * removes it). The key goes to the secret store (`secretUpdates`) and the config gets a reference; a key left
 * out stays, unless the baseUrl now points at another origin: then the ConfigStore drops what the body did not
 * supply. `local: null` goes back to the type's default.
 */
function toProviderConfig(
  id: string,
  body: Body,
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

/** /admin/v1/providers: list, create, replace, delete and test configured providers. */
export function registerProviderRoutes(app: FastifyInstance, gw: GatewayContext, store: ConfigStore): void {
  const item = (id: string) => providerItem(id, store.current, gw)
  /**
   * A provider just added or changed, with its models: the answer waits for the listing the config change
   * started (bounded by the catalog's listing timeout), so the UI does not show a new provider as "0 models".
   */
  const listedItem = async (id: string) => {
    const provider = gw.providers.get(id)
    if (provider) await gw.catalog.refresh(provider)
    return item(id)
  }

  app.get('/admin/v1/providers', { schema: { querystring: ProvidersQuerySchema } }, async () => {
    const items = Object.keys(store.current.raw.providers ?? {}).map(item)
    return { items, total: items.length, nextCursor: null }
  })

  app.get<{ Params: ProviderParams }>(
    '/admin/v1/providers/:id',
    { schema: { params: ProviderParamsSchema } },
    async (req) => {
      const found = item(req.params.id)
      if (!found) throw notFound(`no provider '${req.params.id}' is configured`, 'provider_not_found')
      return found
    },
  )

  app.post('/admin/v1/providers', async (req, reply) => {
    const problems = createProblems(withoutNulls(req.body))
    if (problems.length > 0) throw invalidBody(problems)
    const body = withoutNulls(req.body as Static<typeof CreateBody>)
    if (store.current.raw.providers?.[body.id]) {
      throw conflict(`provider '${body.id}' already exists; use PUT to change it`, 'provider_exists', 'id')
    }
    const secrets = new Map<string, string | null>()
    const cfg = toProviderConfig(body.id, body, {}, secrets)
    applying(() =>
      store.update((d) => {
        d.providers = { ...d.providers, [body.id]: cfg }
      }, secrets),
    )
    return reply.code(201).send(await listedItem(body.id))
  })

  app.put<{ Params: ProviderParams }>(
    '/admin/v1/providers/:id',
    { schema: { params: ProviderParamsSchema } },
    async (req) => {
      const { id } = req.params
      const problems = updateProblems(withoutNulls(req.body))
      if (problems.length > 0) throw invalidBody(problems)
      const body = req.body as Body
      if (body.id !== undefined && body.id !== id) {
        throw invalidBody([
          { path: '/id', message: `does not match the provider in the URL ('${id}'); providers cannot be renamed` },
        ])
      }
      const raw = store.current.raw.providers?.[id]
      if (!raw) throw notFound(`no provider '${id}' is configured`, 'provider_not_found')
      const secrets = new Map<string, string | null>()
      const cfg = toProviderConfig(id, body, { raw, resolved: store.current.resolved.providers?.[id] }, secrets)
      // A variable named again is a key given in this request, even when it is the same one as before.
      const given = body.apiKeyEnv ? [`providers.${id}.apiKey`] : []
      applying(() =>
        store.update(
          (d) => {
            d.providers = { ...d.providers, [id]: cfg }
          },
          secrets,
          given,
        ),
      )
      return listedItem(id)
    },
  )

  app.delete<{ Params: ProviderParams }>(
    '/admin/v1/providers/:id',
    { schema: { params: ProviderParamsSchema } },
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

  app.post<{ Params: ProviderParams }>(
    '/admin/v1/providers/:id/test',
    { schema: { params: ProviderParamsSchema } },
    async (req) => {
      const problems = testProblems(req.body ?? {})
      if (problems.length > 0) throw invalidBody(problems)
      const provider = gw.providers.get(req.params.id)
      if (!provider) throw notFound(`no provider '${req.params.id}' is configured`, 'provider_not_found')
      return testProvider(gw, provider, (req.body as Static<typeof TestBody> | undefined)?.model)
    },
  )
}
