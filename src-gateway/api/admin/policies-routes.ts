import type { FastifyInstance } from 'fastify'
import { type Static, Type } from 'typebox'
import { type PolicyParams, PolicyParamsSchema } from '../../../src-shared/contract/policies.js'
import type { GatewayConfig } from '../../config/schema.js'
import type { ConfigStore } from '../../config/store.js'
import { compileProblems, configProblems } from '../../config/validate.js'
import { CACHE_DEFAULTS, type CacheConfig, type CacheOverride } from '../../policies/cache/index.js'
import {
  BUILTIN_ENTITY_TYPES,
  createRedactor,
  type RedactionConfig,
  type RedactionOverride,
  type RedactionPreview,
} from '../../policies/redaction/index.js'
import { applying, invalidBody, notFound } from './admin-errors.js'
import { mergeFields } from './merge-fields.js'

/** The gateway-wide policy sections the admin API edits one at a time; routes and keys may override each. */
export const POLICY_SECTIONS = ['redaction', 'cache'] as const
export type PolicySection = (typeof POLICY_SECTIONS)[number]

interface SectionTypes {
  redaction: { config: RedactionConfig; override: RedactionOverride }
  cache: { config: CacheConfig; override: CacheOverride }
}

/** A route or key that sets its own redaction or cache for its calls, and what it sets. */
export interface PolicyOverride<S extends PolicySection = PolicySection> {
  scope: 'route' | 'key'
  name: string
  override: SectionTypes[S]['override']
}

/** What applies where a section (or the whole config) leaves a field out; the entity types are all there are. */
export interface PolicyDefaults {
  redaction: { mode: 'off'; detect: string[] }
  cache: { mode: 'off'; ttlSeconds: number; maxEntries: number; maxMb: number; threshold: number }
}

const DEFAULTS: PolicyDefaults = {
  redaction: { mode: 'off', detect: [...BUILTIN_ENTITY_TYPES] },
  cache: { mode: 'off', ...CACHE_DEFAULTS },
}

/** GET and PUT /admin/v1/policies/:section. `config` is null while the config has no such section. */
export interface PolicyView<S extends PolicySection = PolicySection> {
  section: S
  config: SectionTypes[S]['config'] | null
  defaults: PolicyDefaults[S]
  overrides: PolicyOverride<S>[]
}

const TestBody = Type.Object(
  {
    text: Type.String({ maxLength: 100_000 }),
    // Checked in full (regexes included) by configProblems below; here only its kind.
    config: Type.Optional(Type.Object({})),
  },
  { additionalProperties: false },
)
const testProblems = compileProblems(TestBody)

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

/** Problems under `prefix`, with paths relative to it: the body's own fields. */
function problemsUnder(candidate: unknown, prefix: string, root: string) {
  return configProblems(candidate)
    .filter((p) => p.path === prefix || p.path.startsWith(`${prefix}/`))
    .map((p) => ({ ...p, path: `${root}${p.path.slice(prefix.length)}` }))
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
    { schema: { params: PolicyParamsSchema } },
    async (req) => view(store.current.raw, sectionOf(req.params.section)),
  )

  app.put<{ Params: PolicyParams }>(
    '/admin/v1/policies/:section',
    { schema: { params: PolicyParamsSchema } },
    async (req) => {
      const section = sectionOf(req.params.section)
      const body = req.body
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw invalidBody([{ path: '/', message: `must be the ${section} section as a JSON object` }])
      }
      const current = structuredClone(store.current.raw)
      const candidate = { ...current, [section]: mergeFields(current[section], body) }
      // The section's own problems at its fields; one it causes elsewhere (a route override it no longer
      // allows) is reported by the store at that route's path.
      const own = problemsUnder(candidate, `/${section}`, '')
      if (own.length > 0) throw invalidBody(own)
      applying(() => store.apply(candidate))
      return view(store.current.raw, section)
    },
  )

  app.post('/admin/v1/redaction/test', async (req): Promise<RedactionPreview> => {
    const shape = testProblems(req.body)
    if (shape.length > 0) throw invalidBody(shape)
    const { text, config } = req.body as Static<typeof TestBody>
    if (config !== undefined) {
      const problems = problemsUnder({ redaction: config }, '/redaction', '/config')
      if (problems.length > 0) throw invalidBody(problems)
    }
    const redaction = (config as RedactionConfig | undefined) ?? store.current.resolved.redaction ?? { mode: 'off' }
    return createRedactor(redaction).preview(text)
  })
}
