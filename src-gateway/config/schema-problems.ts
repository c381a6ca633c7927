import type { TSchema } from 'typebox'
import { Compile } from 'typebox/compile'

/** One thing wrong with a config or request body, located by JSON pointer (`/providers/x/baseUrl`). */
export interface ConfigProblem {
  path: string
  message: string
}

/** One error as TypeBox's compiled checker reports it. */
export interface SchemaError {
  keyword: string
  instancePath: string
  params: Record<string, unknown>
  message: string
}

export interface Checker {
  Check(data: unknown): boolean
  Errors(data: unknown): Iterable<SchemaError>
}

/** Compiles a TypeBox schema or a plain JSON schema object. */
export const compileChecker = (schema: unknown) => Compile(schema as TSchema) as unknown as Checker

/** An error in words: a value outside an enum is told the allowed values. */
export const errorMessage = (e: SchemaError) =>
  e.keyword === 'enum' && Array.isArray(e.params.allowedValues)
    ? `must be one of ${e.params.allowedValues.join(', ')}`
    : e.message

/**
 * Compiles a schema into a function listing what is wrong with a value, one readable problem per field at
 * fault, each located under `at` (a JSON pointer): missing and unknown fields are named, and a value
 * outside an enum or a union of literals is told the allowed values.
 */
export function schemaProblems(schema: TSchema): (data: unknown, at?: string) => ConfigProblem[] {
  const checker = compileChecker(schema)
  return (data, at = '') => {
    if (checker.Check(data)) return []
    const errors = [...checker.Errors(data)]
    // A union of literals fails once per member: gather the members to name them together. Only where every
    // member is a literal (`block` or a `downgrade:` pattern is not such a union).
    const literals = new Map<string, unknown[]>()
    const mixed = new Set<string>()
    for (const e of errors) {
      if (e.keyword === 'const')
        literals.set(e.instancePath, [...(literals.get(e.instancePath) ?? []), e.params.allowedValue])
      else if (e.keyword !== 'anyOf') mixed.add(e.instancePath)
    }
    for (const path of mixed) literals.delete(path)
    const out = new Map<string, string>()
    for (const e of errors) {
      const path = `${at}${e.instancePath}` || '/'
      // `boolean` repeats an additionalProperties failure without naming the field.
      if (e.keyword === 'boolean') continue
      if (e.keyword === 'required') {
        for (const p of e.params.requiredProperties as string[]) out.set(`${at}${e.instancePath}/${p}`, 'is required')
      } else if (e.keyword === 'additionalProperties') {
        for (const p of e.params.additionalProperties as string[])
          out.set(`${at}${e.instancePath}/${p}`, 'is not a known field')
      } else if (e.keyword === 'enum') {
        out.set(path, errorMessage(e))
      } else if (literals.has(e.instancePath)) {
        out.set(path, `must be one of ${literals.get(e.instancePath)!.join(', ')}`)
      } else if (!out.has(path)) {
        out.set(path, e.message)
      }
    }
    return [...out].map(([path, message]) => ({ path, message }))
  }
}

/** The same problems as `"<pointer>: <message>"` lines, the form feature validators report. */
export function schemaProblemLines(schema: TSchema): (data: unknown, at: string) => string[] {
  const list = schemaProblems(schema)
  return (data, at) => list(data, at).map((p) => `${p.path}: ${p.message}`)
}
