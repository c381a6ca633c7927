import type { FastifyInstance } from 'fastify'
import {
  POLICY_SECTIONS,
  type PolicyDefaults,
  type PolicyOverride,
  type PolicyParams,
  PolicyParamsSchema,
  type PolicySection,
  PolicySectionBodySchema,
  type PolicyView,
  type RedactionTestBody,
  RedactionTestBodySchema,
} from '../../../src-shared/contract/policies.js'
import type { GatewayConfig } from '../../config/schema.js'
import type { ConfigStore } from '../../config/store.js'
import { CACHE_DEFAULTS } from '../../policies/cache/index.js'
import {
  BUILTIN_ENTITY_TYPES,
  createRedactor,
  type RedactionConfig,
  type RedactionPreview,
} from '../../policies/redaction/index.js'
import { applying, notFound } from './admin-errors.js'
import { checkUnder } from './candidate-check.js'
import { mergeFields } from './merge-fields.js'

const DEFAULTS: PolicyDefaults = {
  redaction: { mode: 'off', detect: [...BUILTIN_ENTITY_TYPES] },
  cache: { mode: 'off', ...CACHE_DEFAULTS },
}

const isSection = (s: string): s is PolicySection => (POLICY_SECTIONS as readonly string[]).includes(s)

function sectionOf(name: string): PolicySection {
  if (!isSection(name)) {
    throw notFound(`no policy section '${name}'; known: ${POLICY_SECTIONS.join(', ')}`, 'policy_not_found')
  }
  return name
}

function view(raw: GatewayConfig, section: PolicySection): PolicyView {
  const overrides: PolicyOverride[] = []
  for (const [name, route] of Object.entries(raw.routes ?? {})) {
    const override = route[section]
    if (override) overrides.push({ scope: 'route', name, override })
  }
  for (const key of raw.keys ?? []) {
    const override = key[section]
    if (override) overrides.push({ scope: 'key', name: key.name, override })
  }
  return { section, config: raw[section] ?? null, defaults: DEFAULTS[section], overrides } as PolicyView
}

/**
 * GET|PUT /admin/v1/policies/redaction and /cache: one gateway-wide section, whose fields a PUT changes (see
 * mergeFields), applied live through the ConfigStore (which saves the file; the audit trail records the change), with
 * the routes and keys that override it. POST /admin/v1/redaction/test `{ text, config? }` runs the real
 * redactor (the given section, else the saved one) over a text: `{ redacted, entities: [{ type, start, end }] }`.
 */
export function registerPolicyRoutes(app: FastifyInstance, store: ConfigStore): void {
  app.get<{ Params: PolicyParams }>(
    '/admin/v1/policies/:section',
    { config: { permission: 'settings:read' }, schema: { params: PolicyParamsSchema } },
    async (req) => view(store.current.raw, sectionOf(req.params.section)),
  )

  app.put<{ Params: PolicyParams; Body: Record<string, unknown> }>(
    '/admin/v1/policies/:section',
    { config: { permission: 'settings:write' }, schema: { params: PolicyParamsSchema, body: PolicySectionBodySchema } },
    async (req) => {
      const section = sectionOf(req.params.section)
      const current = structuredClone(store.current.raw)
      const candidate = { ...current, [section]: mergeFields(current[section], req.body) }
      // The section's own problems at its fields; one it causes elsewhere (a route override it no longer
      // allows) is reported by the store at that route's path.
      checkUnder(candidate, `/${section}`)
      applying(() => store.apply(candidate))
      return view(store.current.raw, section)
    },
  )

  app.post<{ Body: RedactionTestBody }>(
    '/admin/v1/redaction/test',
    { config: { permission: 'settings:read' }, schema: { body: RedactionTestBodySchema } },
    async (req): Promise<RedactionPreview> => {
      const { text, config } = req.body
      // The schema has the section's shape; its patterns must also compile (on RE2).
      if (config !== undefined) checkUnder({ redaction: config }, '/redaction', '/config')
      const redaction = (config as RedactionConfig | undefined) ?? store.current.resolved.redaction ?? { mode: 'off' }
      return createRedactor(redaction).preview(text)
    },
  )
}
