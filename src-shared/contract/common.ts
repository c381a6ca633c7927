import { type Static, type TNull, type TOptional, type TProperties, type TSchema, type TUnion, Type } from 'typebox'

/** A list answer (DESIGN.md): the page's items, how many there are in all, and the cursor of the next page. */
export const ListPageSchema = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer(), nextCursor: Type.Union([Type.String(), Type.Null()]) })
export interface ListPage<T> {
  items: T[]
  total: number
  nextCursor: string | null
}

/** An answer's field that may be null. */
export const OrNull = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

/** `limit` and `cursor` of a list query; `cursor` is the previous page's `nextCursor`. */
export const PageQueryFields = {
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]+$', description: 'nextCursor of the previous page' })),
}

/** A route without parameters, query or body still states so: every admin route has a request schema. */
export const NoQuerySchema = Type.Object({}, { additionalProperties: false })
export type NoQuery = Static<typeof NoQuerySchema>

/** A POST that takes no body (an action on the resource in its URL): nothing, or an empty object. */
export const NoBodySchema = Type.Union([Type.Object({}, { additionalProperties: false }), Type.Null()])

/** A field the config check reports: `path` is a JSON pointer, e.g. `/providers/x/type`. */
export const ConfigProblemSchema = Type.Object({ path: Type.String(), message: Type.String() })
export type ConfigProblem = Static<typeof ConfigProblemSchema>

/** One entry a config change adds, changes or removes. */
export const ConfigChangeSchema = Type.Object({
  kind: Type.Union([Type.Literal('add'), Type.Literal('change'), Type.Literal('remove')]),
  /** Top-level section: providers, routes, pricing, prompts, keys, logs, server… */
  section: Type.String(),
  /** The entry's name within the section; the section's own name for single-value sections. */
  name: Type.String(),
})
export type ConfigChange = Static<typeof ConfigChangeSchema>

/** Each field optional, and `null` allowed: null removes the field (a PUT's merge, see `MergeFields`). */
export type Nullable<P extends TProperties> = { [K in keyof P]: TOptional<TUnion<[P[K], TNull]>> }

/**
 * The fields of a body that changes only what it gives (PUT, laid over the stored resource by the gateway's
 * merge-fields.ts): a field left out stays as it was, `null` removes it. So no client drops a field it does
 * not show.
 */
export function MergeFields<P extends TProperties>(fields: P): Nullable<P> {
  const out: Record<string, TSchema> = {}
  for (const [name, schema] of Object.entries(fields)) out[name] = Type.Optional(Type.Union([schema, Type.Null()]))
  return out as Nullable<P>
}
