import type { FastifyInstance, FastifySchema, FastifySchemaCompiler } from 'fastify'
import type { TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { compileProblems } from '../../config/validate.js'
import { invalidRequest, type RequestPart } from './admin-errors.js'

/** What one schema says about a value: its defaults filled in, its scalars read from text, its problems. */
interface CompiledPart {
  problems: (data: unknown) => ReturnType<ReturnType<typeof compileProblems>>
  withDefaults: (data: unknown) => unknown
  converted: (data: unknown) => unknown
}

/**
 * Each schema compiled once per process: the contract's schemas are module constants, shared by routes
 * (NoBodySchema, a page query) and by every gateway a process builds (the tests build hundreds).
 */
const compiled = new WeakMap<object, CompiledPart>()

function compile(schema: TSchema): CompiledPart {
  let part = compiled.get(schema)
  if (!part) {
    const checker = Compile(schema)
    part = {
      problems: compileProblems(schema),
      withDefaults: (data) => checker.Default(data),
      converted: (data) => checker.Convert(data),
    }
    compiled.set(schema, part)
  }
  return part
}

/**
 * The admin scope's request validation: each route's `params`, `querystring` and `body` schema (src-shared/contract)
 * is checked by the gateway's own checker, the one the config file is checked with. Fastify's default (Ajv with
 * `removeAdditional`) would silently drop a field a schema does not name, so a PUT would "succeed" without it, and
 * would answer in its own error format; here an unknown field is a 400 where the schema closes the object (and is
 * kept where it does not), and every failure is the admin API's 400 naming the field (see invalidRequest).
 * Defaults are filled in, as before; only the URL's parts (`params`, `querystring`), which arrive as text, are
 * converted to the numbers and booleans their schemas state.
 */
export function validateWithContract(scope: FastifyInstance): void {
  const validator: FastifySchemaCompiler<FastifySchema> = ({ schema, httpPart }) => {
    const part = compile(schema as TSchema)
    const where = (httpPart ?? 'body') as RequestPart
    const fromUrl = where === 'params' || where === 'querystring'
    return (data: unknown) => {
      let value = part.withDefaults(data)
      if (fromUrl) value = part.converted(value)
      const problems = part.problems(value)
      if (problems.length > 0) return { error: invalidRequest(where, problems) }
      // Defaults are filled in place; a converted scalar is a new value, put back in the request.
      return value === data ? true : { value }
    }
  }
  scope.setValidatorCompiler(validator)
}
