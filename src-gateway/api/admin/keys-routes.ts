import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { type Static, Type } from 'typebox'
import { NoBodySchema } from '../../../src-shared/contract/common.js'
import { type KeyParams, KeyParamsSchema, KeysQuerySchema } from '../../../src-shared/contract/keys.js'
import { type VirtualKeyConfig, VirtualKeySchema } from '../../config/schema.js'
import { secretRef } from '../../config/secret-fields.js'
import type { ConfigStore } from '../../config/store.js'
import { compileProblems } from '../../config/validate.js'
import type { GatewayContext } from '../../gateway-context.js'
import { applying, conflict, invalidBody, notFound } from './admin-errors.js'
import { mergeFields, withoutNulls } from './merge-fields.js'

const K = VirtualKeySchema.properties
/** Everything about a key an admin may set; the secret is not among them: the gateway generates it. */
const KeyFields = {
  models: K.models,
  limits: K.limits,
  budget: K.budget,
  tags: K.tags,
  expiresAt: K.expiresAt,
  redaction: K.redaction,
  cache: K.cache,
  metadata: K.metadata,
}
const CreateBody = Type.Object({ name: K.name, ...KeyFields }, { additionalProperties: false })
const UpdateBody = Type.Object({ name: Type.Optional(Type.String()), ...KeyFields }, { additionalProperties: false })
type Fields = Static<typeof UpdateBody>

const createProblems = compileProblems(CreateBody)
const updateProblems = compileProblems(UpdateBody)

/** 32 random bytes: 256 bits, far beyond guessing, and URL- and header-safe as base64url. */
const newSecret = () => `sy-${randomBytes(32).toString('base64url')}`

/** The secret-store name a key's secret lives under (the name sealPlainSecrets uses too). */
const secretName = (name: string) => `keys.${name}.key`

/** A key's config from a body: only the settable fields, so an unknown or omitted one is not carried over. */
function keyConfig(name: string, key: string, body: Fields): VirtualKeyConfig {
  const cfg: VirtualKeyConfig = { name, key }
  for (const field of Object.keys(KeyFields) as (keyof typeof KeyFields)[]) {
    if (body[field] !== undefined) Object.assign(cfg, { [field]: body[field] })
  }
  return cfg
}

/**
 * GET and POST /admin/v1/keys, PUT and DELETE /admin/v1/keys/:name, POST /admin/v1/keys/:name/rotate. GET lists
 * the keys masked, with each budget's spend this period. The
 * secret is generated here and returned once, by create and rotate; the config only ever holds a
 * `${secret:keys.<name>.key}` reference, and each change is applied live through the ConfigStore.
 */
export function registerKeyRoutes(app: FastifyInstance, gw: GatewayContext, store: ConfigStore): void {
  const raw = (name: string) => store.current.raw.keys?.find((k) => k.name === name)
  const existing = (name: string) => {
    const found = raw(name)
    if (!found) throw notFound(`no key '${name}' is configured`, 'key_not_found')
    return found
  }
  /** The key as GET /admin/v1/keys shows it; one whose `${env:…}` did not resolve is not live, so it has no hint. */
  const item = (name: string) => {
    const live = gw.policies.list().find((k) => k.name === name)
    if (live) return live
    const { key: _secret, ...rest } = existing(name)
    return { ...rest, key: null }
  }
  const replace = (cfg: VirtualKeyConfig, secret?: string) =>
    applying(() =>
      store.update(
        (d) => {
          d.keys = (d.keys ?? []).map((k) => (k.name === cfg.name ? cfg : k))
        },
        secret === undefined ? undefined : new Map([[secretName(cfg.name), secret]]),
      ),
    )

  app.get('/admin/v1/keys', { schema: { querystring: KeysQuerySchema } }, async () => {
    const items = gw.policies.list()
    return { items, total: items.length, nextCursor: null }
  })

  app.post('/admin/v1/keys', async (req, reply) => {
    const problems = createProblems(req.body)
    if (problems.length > 0) throw invalidBody(problems)
    const body = req.body as Static<typeof CreateBody>
    if (raw(body.name)) throw conflict(`key '${body.name}' already exists`, 'key_exists', 'name')
    const secret = newSecret()
    const cfg = keyConfig(body.name, secretRef(secretName(body.name)), body)
    applying(() =>
      store.update(
        (d) => {
          d.keys = [...(d.keys ?? []), cfg]
        },
        new Map([[secretName(body.name), secret]]),
      ),
    )
    return reply.code(201).send({ ...item(body.name), key: secret })
  })

  app.put<{ Params: KeyParams }>('/admin/v1/keys/:name', { schema: { params: KeyParamsSchema } }, async (req) => {
    const { name } = req.params
    const problems = updateProblems(withoutNulls(req.body))
    if (problems.length > 0) throw invalidBody(problems)
    const { name: named, ...body } = req.body as Fields
    if (named !== undefined && named !== name) {
      throw invalidBody([
        { path: '/name', message: `does not match the key in the URL ('${name}'); keys cannot be renamed` },
      ])
    }
    // PUT changes the settings it gives (see mergeFields); the secret (or its `${env:…}` reference) stays as it was.
    const { key, name: _name, ...settings } = existing(name)
    replace(keyConfig(name, key, mergeFields(settings, body)))
    return item(name)
  })

  app.post<{ Params: KeyParams }>(
    '/admin/v1/keys/:name/rotate',
    { schema: { params: KeyParamsSchema, body: NoBodySchema } },
    async (req) => {
      const { name } = req.params
      const secret = newSecret()
      // A key read from `${env:…}` moves to the secret store: the environment cannot be rewritten from here.
      replace({ ...existing(name), key: secretRef(secretName(name)) }, secret)
      return { ...item(name), key: secret }
    },
  )

  app.delete<{ Params: KeyParams }>(
    '/admin/v1/keys/:name',
    { schema: { params: KeyParamsSchema } },
    async (req, reply) => {
      const { name } = req.params
      existing(name)
      // The store drops the secret once nothing refers to it any more.
      applying(() =>
        store.update((d) => {
          d.keys = d.keys?.filter((k) => k.name !== name)
        }),
      )
      return reply.code(204).send()
    },
  )
}
