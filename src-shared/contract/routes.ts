import { type Static, Type } from 'typebox'
import { MergeFields, NoQuerySchema } from './common.js'
import { CacheOverrideSchema, RedactionOverrideSchema } from './policies.js'
import { WorkspaceListSchema } from './workspaces.js'

/** GET /admin/v1/routes and /admin/v1/models take no query. */
export const RoutesQuerySchema = NoQuerySchema

/** `:name` of PUT /admin/v1/routes/:name. No '/': a route named like provider/model would shadow that model. */
export const RouteNameParamsSchema = Type.Object({
  name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$', maxLength: 128 }),
})
export type RouteNameParams = Static<typeof RouteNameParamsSchema>

/** `:name` of DELETE /admin/v1/routes/:name: any name, so one that cannot exist is a 404. */
export const RouteParamsSchema = Type.Object({ name: Type.String({ minLength: 1 }) })
export type RouteParams = Static<typeof RouteParamsSchema>

/** Upstream timeouts in ms, for a provider or a route. */
export const TimeoutsSchema = Type.Object(
  {
    connectMs: Type.Optional(Type.Integer({ minimum: 1 })),
    firstByteMs: Type.Optional(Type.Integer({ minimum: 1 })),
    idleMs: Type.Optional(Type.Integer({ minimum: 1 })),
    totalMs: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
)

export const RouteTargetSchema = Type.Object(
  {
    model: Type.String({ minLength: 1 }),
    weight: Type.Optional(Type.Number({ minimum: 0 })),
    /** Request parameters forced for this target, e.g. { temperature: 0.2 }. */
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    /** A system instruction prepended for this target only. */
    system: Type.Optional(Type.String()),
    /** Context window in tokens, when neither the upstream listing nor the price table knows it. */
    contextWindow: Type.Optional(Type.Integer({ minimum: 1 })),
    /**
     * How this model writes tool calls into its text, when it does (docs/routing.md, "Tool calls"): such
     * calls become real tool calls, and its answers are translated, never passed through.
     */
    toolCallFormat: Type.Optional(
      Type.Union([Type.Literal('hermes'), Type.Literal('mistral'), Type.Literal('llama'), Type.Literal('auto')]),
    ),
  },
  { additionalProperties: false },
)

/** A route as the config file's `routes:` section holds it, and as GET /admin/v1/routes answers (named). */
export const RouteSchema = Type.Object(
  {
    strategy: Type.Optional(
      Type.Union([
        Type.Literal('fallback'),
        Type.Literal('weighted'),
        Type.Literal('least-latency'),
        Type.Literal('cheapest'),
      ]),
    ),
    targets: Type.Array(RouteTargetSchema, { minItems: 1 }),
    /** System instructions wrapped around every request on this route: before and after its own system prompt. */
    system: Type.Optional(
      Type.Object(
        { prepend: Type.Optional(Type.String()), append: Type.Optional(Type.String()) },
        { additionalProperties: false },
      ),
    ),
    retries: Type.Optional(
      Type.Object(
        {
          attempts: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
          backoffMs: Type.Optional(Type.Integer({ minimum: 0 })),
          maxBackoffMs: Type.Optional(Type.Integer({ minimum: 0 })),
          maxRetryAfterMs: Type.Optional(Type.Integer({ minimum: 0 })),
          budgetRatio: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** Extra upstream statuses that move on to the next target (429, 408 and 5xx always do). */
    fallbackOn: Type.Optional(Type.Array(Type.Integer({ minimum: 400, maximum: 599 }))),
    timeouts: Type.Optional(TimeoutsSchema),
    /** Only providers carrying one of these tags may serve this route, fallbacks included (data residency). */
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
    /** Only keys of these workspaces may call this route; absent: shared by all. */
    workspaces: Type.Optional(WorkspaceListSchema),
    /** Overrides of the gateway's redaction and cache for calls to this route. */
    redaction: Type.Optional(RedactionOverrideSchema),
    cache: Type.Optional(CacheOverrideSchema),
    /** Input and output checks for calls to this route. */
    // Checked in full by the gateway (config/policies/guardrails.ts), whose config type it narrows to.
    guardrails: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    /** Requests estimated above `thresholdTokens` go to `model` first (claude-code-router's longContext). */
    longContext: Type.Optional(
      Type.Object(
        { thresholdTokens: Type.Integer({ minimum: 1 }), model: Type.String({ minLength: 1 }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)
export type Route = Static<typeof RouteSchema>
export type RouteTarget = Static<typeof RouteTargetSchema>
export type RouteStrategy = NonNullable<Route['strategy']>

/** One route of GET /admin/v1/routes (and PUT's answer): the route named, its strategy's default filled in. */
export type RouteItem = { name: string } & Omit<Route, 'strategy'> & { strategy: RouteStrategy }

/**
 * PUT /admin/v1/routes/:name: a new route whole, or the fields of one to change (`null` removes a field, one
 * left out stays). `name`, if given, must be the URL's. Open beyond the route's fields: a registered policy's
 * route settings (the gateway's policies/registry.ts) are a route's too; the gateway checks the route the body
 * makes as the config file would hold it, naming an unknown field at its path.
 */
export const RouteUpdateBodySchema = Type.Object({
  name: Type.Optional(Type.String()),
  ...MergeFields(RouteSchema.properties),
})
export type RouteUpdateBody = Static<typeof RouteUpdateBodySchema>
