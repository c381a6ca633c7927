// JSON Schema (tool parameters, response_format) → the OpenAPI 3.0 subset Gemini accepts (pitfall P13).
// Gemini answers 400 "Unknown name …" for any keyword outside that subset, and MCP tool schemas are full
// of them, so the schema is rebuilt from an allowlist rather than trimmed by a denylist.

import { isPlainObject } from '../../core/json-values.js'

type Schema = Record<string, unknown>

/** Keywords Gemini's `Schema` message has, copied as they are (after recursion where they nest). */
const COPIED_KEYWORDS = [
  'type',
  'title',
  'description',
  'nullable',
  'enum',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'propertyOrdering',
] as const

/** Gemini rejects every other `format` ("only 'enum' and 'date-time' are supported for STRING type"). */
const FORMATS_BY_TYPE: Record<string, readonly string[]> = {
  string: ['enum', 'date-time'],
  integer: ['int32', 'int64'],
  number: ['float', 'double'],
}

/** A `$ref` cycle (a tree node whose children are nodes) cannot be inlined; past this depth it stays an open object. */
const MAX_REF_DEPTH = 8

export function toGeminiSchema(schema: Schema): Schema {
  // Keyed by the full pointer: `$defs` and `definitions` may both hold a `Name`, and differ.
  const defs: Record<string, Schema> = {}
  for (const key of ['$defs', 'definitions']) {
    for (const [name, def] of Object.entries(asSchemaMap(schema[key]))) defs[`#/${key}/${name}`] = def
  }
  return sanitize(schema, defs, [])
}

/** A sanitised parameters schema that declares nothing: Gemini rejects `properties: {}`, so such tools get none. */
export function declaresNoParameters(schema: Schema): boolean {
  return (
    (schema.type === undefined || schema.type === 'object') &&
    schema.properties === undefined &&
    schema.anyOf === undefined
  )
}

function sanitize(input: Schema, defs: Record<string, Schema>, refStack: string[]): Schema {
  const schema = resolveRef(input, defs, refStack)
  if (schema === undefined) return { type: 'object' }
  const stack = typeof input.$ref === 'string' ? [...refStack, input.$ref] : refStack
  const merged = mergeAllOf(schema, defs, stack)
  const out: Schema = {}
  for (const k of COPIED_KEYWORDS) if (merged[k] !== undefined) out[k] = merged[k]

  if (merged.const !== undefined) out.enum = [merged.const]
  if (Array.isArray(merged.type)) applyTypeList(out, merged.type as unknown[])

  const alternatives = (merged.anyOf ?? merged.oneOf) as unknown
  if (Array.isArray(alternatives)) applyAlternatives(out, alternatives, defs, stack)

  if (isPlainObject(merged.properties)) {
    const properties: Record<string, Schema> = {}
    for (const [name, sub] of Object.entries(merged.properties)) {
      if (isPlainObject(sub)) properties[name] = sanitize(sub, defs, stack)
    }
    if (Object.keys(properties).length > 0) {
      out.properties = properties
      // `required` naming a property that is not there is a 400 too.
      const required = Array.isArray(merged.required) ? merged.required.filter((r) => Object.hasOwn(properties, r)) : []
      if (required.length > 0) out.required = required
      else delete out.required
    }
  }
  if (isPlainObject(merged.items)) out.items = sanitize(merged.items, defs, stack)
  else if (Array.isArray(merged.items) && isPlainObject(merged.items[0]))
    out.items = sanitize(merged.items[0], defs, stack)

  if (out.format === undefined && typeof merged.format === 'string') {
    const allowed = FORMATS_BY_TYPE[String(out.type)]
    if (allowed?.includes(merged.format)) out.format = merged.format
  }
  return out
}

function resolveRef(schema: Schema, defs: Record<string, Schema>, refStack: string[]): Schema | undefined {
  const ref = schema.$ref
  if (typeof ref !== 'string') return schema
  if (refStack.includes(ref) || refStack.length >= MAX_REF_DEPTH) return undefined
  const target = defs[decodeURIComponent(ref)]
  if (target === undefined) return undefined
  // Siblings of $ref (a description on the property) are kept next to the inlined definition.
  const { $ref: _, ...siblings } = schema
  return { ...target, ...siblings }
}

/** `allOf` (common in generated schemas) → one schema: properties and required lists are unioned. */
function mergeAllOf(schema: Schema, defs: Record<string, Schema>, stack: string[]): Schema {
  if (!Array.isArray(schema.allOf)) return schema
  const { allOf, ...merged } = schema
  for (const item of allOf) {
    const part = isPlainObject(item) ? resolveRef(item, defs, stack) : undefined
    if (part === undefined) continue
    const { properties, required, ...other } = part
    for (const [k, v] of Object.entries(other)) merged[k] ??= v
    if (isPlainObject(properties)) merged.properties = { ...(merged.properties as Schema), ...properties }
    if (Array.isArray(required)) merged.required = [...((merged.required as unknown[]) ?? []), ...required]
  }
  return merged
}

/** `type: ["string", "null"]` → `type: "string", nullable: true`; several real types → `anyOf`. */
function applyTypeList(out: Schema, types: unknown[]): void {
  const real = types.filter((t) => t !== 'null')
  if (real.length < types.length) out.nullable = true
  if (real.length === 1) out.type = real[0]
  else {
    delete out.type
    if (real.length > 1) out.anyOf = real.map((t) => ({ type: t }))
  }
}

/** `anyOf`/`oneOf` with a `{type:"null"}` branch → `nullable`; a single remaining branch is inlined. */
function applyAlternatives(out: Schema, alternatives: unknown[], defs: Record<string, Schema>, stack: string[]): void {
  const branches = alternatives.filter(isPlainObject)
  const real = branches.filter((b) => b.type !== 'null')
  if (real.length < branches.length) out.nullable = true
  const sanitized = real.map((b) => sanitize(b, defs, stack))
  if (sanitized.length === 1) {
    for (const [k, v] of Object.entries(sanitized[0])) out[k] ??= v
  } else if (sanitized.length > 1) out.anyOf = sanitized
}

function asSchemaMap(value: unknown): Record<string, Schema> {
  return isPlainObject(value) ? (value as Record<string, Schema>) : {}
}
