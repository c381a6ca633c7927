import { type Static, Type } from 'typebox'
import { type Budget, BudgetSchema } from './budgets.js'
import { MergeFields, NoQuerySchema } from './common.js'

/** A workspace's id: like a provider's, lower case (it is typed in configs and shown in URLs). */
export const WORKSPACE_ID_PATTERN = '^[a-z0-9][a-z0-9_-]*$'

/** The workspace every key without one belongs to; it always exists, configured or not. */
export const DEFAULT_WORKSPACE = 'default'

export const WorkspaceIdSchema = Type.String({ pattern: WORKSPACE_ID_PATTERN, maxLength: 64 })

const Limit = Type.Integer({ minimum: 1, maximum: 100_000_000 })

/** Rate limits over every call made in a workspace, whichever of its keys (or the UI) made it. */
export const WorkspaceLimitsSchema = Type.Object(
  { rpm: Type.Optional(Limit), tpm: Type.Optional(Limit) },
  { additionalProperties: false },
)
export type WorkspaceLimits = Static<typeof WorkspaceLimitsSchema>

/** A workspace's settings beside its name. */
const WorkspaceFields = {
  description: Type.Optional(Type.String({ maxLength: 1000 })),
  /** What all its calls together may spend per period: a key's budget shape, summed over the workspace. */
  budget: Type.Optional(BudgetSchema),
  limits: Type.Optional(WorkspaceLimitsSchema),
}

/** A workspace as the config file's `workspaces:` section holds it (keyed by its id). */
export const WorkspaceSchema = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 128 }), ...WorkspaceFields },
  { additionalProperties: false },
)
export type Workspace = Static<typeof WorkspaceSchema>

/** The config's `workspaces:` section. */
export const WorkspacesConfigSchema = Type.Record(Type.String({ pattern: WORKSPACE_ID_PATTERN }), WorkspaceSchema, {
  additionalProperties: false,
})

/**
 * `workspaces: [ids]` on a provider or route: only keys of these workspaces may use it. Absent: shared by all.
 */
export const WorkspaceListSchema = Type.Array(WorkspaceIdSchema, { minItems: 1 })

/** GET /admin/v1/workspaces takes no query. */
export const WorkspacesQuerySchema = NoQuerySchema

/** `:id` of /admin/v1/workspaces/:id. */
export const WorkspaceParamsSchema = Type.Object({ id: WorkspaceIdSchema })
export type WorkspaceParams = Static<typeof WorkspaceParamsSchema>

/**
 * PUT /admin/v1/workspaces/:id: creates the workspace, or changes the fields it gives (`null` removes one, a
 * field left out stays as it was; see `MergeFields`).
 */
export const WorkspacePutBodySchema = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 128 }), ...MergeFields(WorkspaceFields) },
  { additionalProperties: false },
)
export type WorkspacePutBody = Static<typeof WorkspacePutBodySchema>

/** One workspace from GET /admin/v1/workspaces. */
export interface WorkspaceItem {
  id: string
  name: string
  description?: string
  /** How many configured keys belong to it. */
  keyCount: number
  /** False for `default` when the config does not name it: it exists all the same. */
  configured: boolean
  budget?: Budget
  limits?: WorkspaceLimits
  /** What its calls have cost in the budget's current period (USD); absent without a budget. */
  spent?: number
}
