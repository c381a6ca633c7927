import { type Static, Type } from 'typebox'
import type { TrafficAnomaly } from './alerts.js'
import { type Budget, type BudgetPeriod, BudgetSchema, type OnExceed } from './budgets.js'
import { MergeFields, NoQuerySchema } from './common.js'
import { CacheOverrideSchema, RedactionOverrideSchema } from './policies.js'
import { WorkspaceIdSchema } from './workspaces.js'

/** GET /admin/v1/keys takes no query: every key, masked. */
export const KeysQuerySchema = NoQuerySchema

/** `:name` of /admin/v1/keys/:name and its rotate. */
export const KeyParamsSchema = Type.Object({ name: Type.String({ minLength: 1 }) })
export type KeyParams = Static<typeof KeyParamsSchema>

const Limit = Type.Integer({ minimum: 1 })

/** What a key may spend per period, and what happens once it has (the same shape as a workspace's budget). */
export const KeyBudgetSchema = BudgetSchema
export type KeyBudget = Budget
export type { BudgetPeriod, OnExceed }

const McpGlobs = Type.Array(Type.String({ minLength: 1 }))

/**
 * A key's reach through `/mcp`. Each list holds globs (`*`, `?`); an absent list allows nothing of its kind,
 * so a key made for model calls gains no tools by accident.
 */
export const McpKeyAccessSchema = Type.Object(
  {
    /** Tools by namespaced name: `everything__echo`, `github__*`, `*`. */
    tools: Type.Optional(McpGlobs),
    /** Prompts by namespaced name (`server__prompt`). */
    prompts: Type.Optional(McpGlobs),
    /** Servers whose resources (and resource templates) the key may list and read, by server name. */
    resources: Type.Optional(McpGlobs),
    /** May call tools a server marks `confirm` (default false: they are listed, marked, and refused). */
    confirmed: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)
export type McpKeyAccess = Static<typeof McpKeyAccessSchema>

/** A key's settings: everything about it but its name and secret. */
const KeySettingsFields = {
  /** Globs over the requested model (route alias or provider/model); absent: every model. */
  models: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  limits: Type.Optional(
    Type.Object(
      { rpm: Type.Optional(Limit), tpm: Type.Optional(Limit), perUserRpm: Type.Optional(Limit) },
      { additionalProperties: false },
    ),
  ),
  budget: Type.Optional(KeyBudgetSchema),
  /** Only providers carrying one of these tags may serve this key (data residency). */
  tags: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
  /** ISO-8601; the key is refused from then on. */
  expiresAt: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}' })),
  /** Overrides of the gateway's (and route's) redaction and cache for this key's calls. */
  redaction: Type.Optional(RedactionOverrideSchema),
  cache: Type.Optional(CacheOverrideSchema),
  /** What this key may reach through the MCP hub's `/mcp` endpoint; absent: nothing (see docs/mcp.md). */
  mcp: Type.Optional(McpKeyAccessSchema),
  /** The workspace the key belongs to (config `workspaces:`); absent: `default`. Its calls may use only providers and routes shared or listing it. */
  workspace: Type.Optional(WorkspaceIdSchema),
  /** Free-form (team, owner): shown in the admin API, never interpreted. */
  metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
}

const KeyName = Type.String({ pattern: '^[A-Za-z0-9_.-]+$' })

/**
 * A client key as the config file's `keys:` list holds it. The gateway adds the settings of its registered
 * policies (policies/registry.ts) to its own schema of a key.
 */
export const KeySchema = Type.Object(
  {
    name: KeyName,
    /** A secret: write it as `${env:NAME}`; only its SHA-256 is kept at run time. */
    key: Type.String({ minLength: 1 }),
    ...KeySettingsFields,
  },
  { additionalProperties: false },
)
export type Key = Static<typeof KeySchema>

/*
 * The bodies below leave other fields open: a registered policy's settings (policies/registry.ts) are a key's
 * too, and the gateway checks the key they make against its config schema, naming an unknown field at its path.
 */

/** POST /admin/v1/keys: a new key; the gateway generates its secret and answers it once. */
export const KeyCreateBodySchema = Type.Object({ name: KeyName, ...KeySettingsFields })
export type KeyInput = Static<typeof KeyCreateBodySchema>

/** PUT /admin/v1/keys/:name: the settings to change (`null` removes one); `name`, if given, must be the URL's. */
export const KeyUpdateBodySchema = Type.Object({
  name: Type.Optional(Type.String()),
  ...MergeFields(KeySettingsFields),
})
export type KeyUpdateBody = Static<typeof KeyUpdateBodySchema>

/** PUT /admin/v1/keys/:name as the UI's client calls it: the key's name with the settings to change. */
export type KeyUpdate = { name: string } & Omit<KeyUpdateBody, 'name'>

/** One key from GET /admin/v1/keys: `key` is a masked hint (`sy-a…f2`), or null when its secret did not resolve. */
export interface KeyItem extends Omit<KeyInput, 'budget'> {
  key: string | null
  budget?: {
    usd: number
    period: BudgetPeriod
    onExceed: OnExceed
    spentUsd?: number
    percentUsed?: number
    /** The highest alert threshold the period's spend has reached: 50, 80 or 100 (0 below 50%). */
    alertLevel?: 0 | 50 | 80 | 100
    /** The current period, UTC: `total` starts at the epoch and has no end. */
    periodStart?: string
    periodEnd?: string | null
  }
  /** Set while the key's requests in the traffic window far exceed its norm. */
  trafficAnomaly?: TrafficAnomaly | null
}

/** POST /admin/v1/keys and POST /admin/v1/keys/:name/rotate: the key with its full secret, shown once. */
export interface KeyWithSecret extends KeyItem {
  key: string
}
