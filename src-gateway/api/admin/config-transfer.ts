import type { FastifyInstance } from 'fastify'
import { type Static, Type } from 'typebox'
import { configText } from '../../config/config-file.js'
import { ConfigError, parseConfigText } from '../../config/load.js'
import { exportableConfig } from '../../config/secret-fields.js'
import type { ConfigStore } from '../../config/store.js'
import { compileProblems } from '../../config/validate.js'
import { invalidBody } from './admin-errors.js'

const ExportQuery = Type.Object({
  format: Type.Union([Type.Literal('yaml'), Type.Literal('json')], { default: 'yaml' }),
  secrets: Type.Union([Type.Literal('refs'), Type.Literal('omit')], { default: 'refs' }),
})
const ImportBody = Type.Object(
  {
    text: Type.String({ maxLength: 5_000_000 }),
    format: Type.Optional(Type.Union([Type.Literal('yaml'), Type.Literal('json')])),
    apply: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)
const importProblems = compileProblems(ImportBody)

const CONTENT_TYPES = { yaml: 'application/yaml; charset=utf-8', json: 'application/json; charset=utf-8' }

/** JSON when the text looks like it; YAML otherwise (YAML also reads most JSON). */
const sniffFormat = (text: string) => (/^\s*[{[]/.test(text) ? 'json' : 'yaml')

/**
 * GET /admin/v1/config/export and POST /admin/v1/config/import. Export never contains a plain key;
 * import previews (valid, errors by field, changes) and, with `apply: true`, runs `beforeImport` (a
 * backup), then applies and persists, moving plain keys it finds into the secret store.
 */
export function registerConfigTransfer(app: FastifyInstance, store: ConfigStore, beforeImport?: () => void): void {
  app.get<{ Querystring: Static<typeof ExportQuery> }>(
    '/admin/v1/config/export',
    { schema: { querystring: ExportQuery } },
    async (req, reply) => {
      const { format, secrets } = req.query
      const text = configText(exportableConfig(store.current.raw, secrets), format)
      return reply
        .header('content-type', CONTENT_TYPES[format])
        .header('content-disposition', `attachment; filename="switchyard-config.${format}"`)
        .send(text)
    },
  )

  app.post('/admin/v1/config/import', async (req) => {
    const problems = importProblems(req.body)
    if (problems.length > 0) throw invalidBody(problems)
    const { text, format, apply } = req.body as Static<typeof ImportBody>
    let data: unknown
    try {
      data = parseConfigText(text, format ?? sniffFormat(text))
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err
      return { valid: false, errors: [{ path: '/', message: err.message }], changes: [], applied: false }
    }
    const check = store.check(data)
    // Keys of providers the file points elsewhere are not carried along; the admin gives them again.
    const dropped = check.dropped.length > 0 ? { droppedCredentials: check.dropped } : {}
    if (!check.valid || !apply) {
      return { valid: check.valid, errors: check.errors, changes: check.changes, ...dropped, applied: false }
    }
    beforeImport?.()
    const loaded = store.apply(data)
    return {
      valid: true,
      errors: [],
      changes: check.changes,
      ...dropped,
      applied: true,
      // References the imported file makes that this machine cannot resolve (yet).
      missingEnv: loaded.missingEnv,
      missingSecrets: loaded.missingSecrets,
    }
  })
}
