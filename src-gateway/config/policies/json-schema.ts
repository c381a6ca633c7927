import { Meta } from 'typebox/schema'
import { type Checker, type ConfigProblem, compileChecker, errorMessage } from '../schema-problems.js'

/** A problem located by JSON pointer inside the schema (`''` is the schema itself). */
type SchemaProblem = ConfigProblem

// TypeBox compiles almost anything (`{type: 'strin'}` would accept every value), so schemas are first
// checked against the JSON Schema meta-schema. Compiled on first use: most configs have no json_schema check.
let metaSchema: Checker | undefined

/** Keywords whose values are data, not schemas: a `$ref` key inside them is not a reference. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples'])

function resolvePointer(root: unknown, ref: string): boolean {
  let node = root
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~')
    if (typeof node !== 'object' || node === null || !(key in node)) return false
    node = (node as Record<string, unknown>)[key]
  }
  return true
}

function refProblems(root: unknown, node: unknown, path: string, out: SchemaProblem[]): void {
  if (typeof node !== 'object' || node === null) return
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string' && !Array.isArray(node)) {
      // Remote and anchor refs would need fetching or $id bookkeeping; a dangling ref fails every output.
      if (value !== '#' && !value.startsWith('#/'))
        out.push({ path: `${path}/$ref`, message: `'${value}' must be a local JSON pointer such as #/$defs/name` })
      else if (!resolvePointer(root, value))
        out.push({ path: `${path}/$ref`, message: `'${value}' does not point into the schema` })
    } else if (!DATA_KEYWORDS.has(key)) {
      refProblems(root, value, `${path}/${key}`, out)
    }
  }
}

/** Everything that would keep a JSON schema from validating outputs as its author meant. */
export function jsonSchemaProblems(schema: unknown): SchemaProblem[] {
  metaSchema ??= compileChecker(Meta['https://json-schema.org/draft/2020-12/schema'])
  if (!metaSchema.Check(schema)) {
    const errors = [...metaSchema.Errors(schema)].filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'boolean')
    const first = errors[0]
    return [{ path: first?.instancePath ?? '', message: first ? errorMessage(first) : 'is not a valid JSON schema' }]
  }
  const out: SchemaProblem[] = []
  refProblems(schema, schema, '', out)
  if (out.length > 0) return out
  try {
    compileChecker(schema)
  } catch (err) {
    return [{ path: '', message: `cannot be compiled: ${(err as Error).message}` }]
  }
  return []
}
