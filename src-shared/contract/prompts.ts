import { type Static, Type } from 'typebox'
import { PageQueryFields } from './common.js'

/** Names a prompt can have: they appear in URLs (`/v1/prompts/{name}/run`) and config keys. */
export const PROMPT_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$'

/** `:name` of /admin/v1/prompts/:name and everything under it. */
export const PromptParamsSchema = Type.Object({ name: Type.String({ pattern: PROMPT_NAME_PATTERN }) })
export type PromptParams = Static<typeof PromptParamsSchema>

export const PromptVersionParamsSchema = Type.Object({
  ...PromptParamsSchema.properties,
  version: Type.Integer({ minimum: 1 }),
})
export type PromptVersionParams = Static<typeof PromptVersionParamsSchema>

export const PromptLabelParamsSchema = Type.Object({
  ...PromptParamsSchema.properties,
  label: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }),
})
export type PromptLabelParams = Static<typeof PromptLabelParamsSchema>

/** GET /admin/v1/prompts and a prompt's versions: newest first, by text or label. */
export const PromptListQuerySchema = Type.Object({
  ...PageQueryFields,
  q: Type.Optional(Type.String({ maxLength: 200 })),
  label: Type.Optional(Type.String({ maxLength: 64 })),
})
export type PromptListQuery = Static<typeof PromptListQuerySchema>

/** GET /admin/v1/prompts/:name/diff?from=&to=: two versions' differences. */
export const PromptDiffQuerySchema = Type.Object({
  from: Type.Integer({ minimum: 1 }),
  to: Type.Integer({ minimum: 1 }),
})
export type PromptDiffQuery = Static<typeof PromptDiffQuerySchema>

/** GET /admin/v1/prompts/:name/stats: per-arm stats, of one label's split or of every version. */
export const PromptStatsQuerySchema = Type.Object({
  label: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
})
export type PromptStatsQuery = Static<typeof PromptStatsQuerySchema>
