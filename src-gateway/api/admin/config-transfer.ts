import type { FastifyInstance } from 'fastify'
import {
  type ConfigExportQuery,
  ConfigExportQuerySchema,
  ConfigImportBodySchema,
  type ConfigImportQuery,
  ConfigImportQuerySchema,
  type ConfigImportText,
  ConfigImportTextSchema,
} from '../../../src-shared/contract/config-transfer.js'
import type { ConfigFormat } from '../../config/config-file.js'
import type { ConfigStore } from '../../config/store.js'
import { exportText, importConfig, parseImportText, sniffFormat } from '../../config/transfer.js'
import { compileProblems } from '../../config/validate.js'
import { GatewayError } from '../../core/errors.js'
import { parseJsonBody } from '../../core/json-body.js'
import { isPlainObject } from '../../core/json-values.js'
import type { PromptStore } from '../../prompts/prompt-store.js'
import { invalidBody } from './admin-errors.js'

const wrappedProblems = compileProblems(ConfigImportTextSchema)

const CONTENT_TYPES = { yaml: 'application/yaml; charset=utf-8', json: 'application/json; charset=utf-8' }
/** Content types whose body is the exported file's text. */
const TEXT_TYPES = ['application/yaml', 'text/yaml', 'application/x-yaml', 'text/plain']

/** The file's text as sent: raw bytes arrive as a string, a JSON body as its data. */
type ImportBody = string | Record<string, unknown> | null | undefined

/**
 * GET /admin/v1/config/export and POST /admin/v1/config/import. Export never contains a plain key,
 * and adds the prompt library's latest versions with `include=prompts`. Import takes the exported bytes
 * as they are (YAML or JSON by content type, or the `{text, apply}` JSON body) and previews, or with
 * `?apply=true` runs `beforeImport` (a backup), then applies and persists, moving plain keys it finds
 * into the secret store.
 */
export function registerConfigTransfer(
  app: FastifyInstance,
  store: ConfigStore,
  library: PromptStore,
  beforeImport?: () => unknown,
): void {
  app.get<{ Querystring: ConfigExportQuery }>(
    '/admin/v1/config/export',
    { config: { permission: 'settings:write' }, schema: { querystring: ConfigExportQuerySchema } },
    async (req, reply) => {
      const { format, secrets, include } = req.query
      const text = await exportText(store.current.raw, {
        format,
        secrets,
        prompts: include === 'prompts' ? library : undefined,
      })
      return reply
        .header('content-type', CONTENT_TYPES[format])
        .header('content-disposition', `attachment; filename="switchyard-config.${format}"`)
        .send(text)
    },
  )

  // A scope of its own, so that its body parsers (YAML as text, anything else a 415) stay on this route.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, parseJsonBody)
    scope.addContentTypeParser(TEXT_TYPES, { parseAs: 'string' }, (_req, body, done) => done(null, body))
    scope.addContentTypeParser('*', (req, _payload, done) =>
      done(
        new GatewayError(
          'invalid_request',
          `cannot import content-type '${req.headers['content-type'] ?? 'none'}': send the exported file as ` +
            `application/yaml (or text/yaml, application/x-yaml, text/plain) or application/json`,
          { status: 415, code: 'unsupported_media_type' },
        ),
      ),
    )

    scope.post<{ Querystring: ConfigImportQuery; Body: ImportBody }>(
      '/admin/v1/config/import',
      {
        config: { permission: 'settings:write' },
        schema: { querystring: ConfigImportQuerySchema, body: ConfigImportBodySchema },
      },
      async (req) => {
        const body = req.body
        let text: string
        let format: ConfigFormat | undefined
        let apply = req.query.apply ?? false
        if (body === undefined || body === null || (typeof body === 'string' && body.trim() === '')) {
          // Not an empty config: applied, that would remove every provider and route.
          throw new GatewayError('invalid_request', 'request body is empty; send the exported config file')
        }
        if (typeof body === 'string') {
          text = body
        } else if (isPlainObject(body) && 'text' in body) {
          const problems = wrappedProblems(body)
          if (problems.length > 0) throw invalidBody(problems)
          const wrapped = body as ConfigImportText
          text = wrapped.text
          format = wrapped.format
          apply = req.query.apply ?? wrapped.apply ?? false
        } else {
          // A JSON config, parsed already.
          return importConfig(store, library, body, { apply, beforeImport })
        }
        const parsed = parseImportText(text, format ?? sniffFormat(text))
        if (!('data' in parsed)) return parsed
        return importConfig(store, library, parsed.data, { apply, beforeImport })
      },
    )
  })
}
