import { type Static, Type } from 'typebox'
import { OrNull, PageQueryFields } from './common.js'
import { WorkspaceIdSchema } from './workspaces.js'

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
  /** One workspace's prompts (within the caller's). */
  workspace: Type.Optional(WorkspaceIdSchema),
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

/** One message of a prompt template; `content` may hold `{{variable}}` placeholders. */
export const PromptMessageSchema = Type.Object(
  {
    role: Type.Union([Type.Literal('system'), Type.Literal('user'), Type.Literal('assistant')]),
    content: Type.String(),
  },
  { additionalProperties: false },
)
export type PromptMessage = Static<typeof PromptMessageSchema>

/** What a prompt version is made of; its hash identifies the version's content. */
export const PromptContentFields = {
  messages: Type.Array(PromptMessageSchema, { minItems: 1 }),
  /** Default model or route alias; a run may override it. */
  model: Type.Optional(Type.String({ minLength: 1 })),
  /** Default request parameters (temperature, max_tokens…); a run may override them. */
  params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  /** JSON schema for structured output, sent as `response_format: json_schema`. */
  responseSchema: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
}
export const PromptContentSchema = Type.Object(PromptContentFields, { additionalProperties: false })
export type PromptContent = Static<typeof PromptContentSchema>

/** POST /admin/v1/prompts/:name/versions: the content, with a note and author for the history. */
export const PromptSaveBodySchema = Type.Object(
  {
    ...PromptContentFields,
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    author: Type.Optional(Type.String({ maxLength: 200 })),
    /**
     * The workspace a new prompt belongs to (team mode); absent: the x-switchyard-workspace header's, else the
     * caller's. A prompt stays in its workspace: naming another for an existing one is refused.
     */
    workspace: Type.Optional(WorkspaceIdSchema),
  },
  { additionalProperties: false },
)
export type PromptSaveBody = Static<typeof PromptSaveBodySchema>

/** POST /admin/v1/prompts/:name/render: a version (by number or label, else the latest) with values. */
export const PromptRenderBodySchema = Type.Object(
  {
    variables: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
    label: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
)
export type PromptRenderBody = Static<typeof PromptRenderBodySchema>

export const PromptVersionSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  version: Type.Integer(),
  contentHash: Type.String(),
  content: PromptContentSchema,
  /** Variables the messages use, in order of first appearance. */
  variables: Type.Array(Type.String()),
  note: OrNull(Type.String()),
  author: OrNull(Type.String()),
  createdAt: Type.String(),
})
export type PromptVersion = Static<typeof PromptVersionSchema>

/** One arm of a label that splits traffic between versions. */
export const SplitArmSchema = Type.Object(
  { version: Type.Integer({ minimum: 1 }), weight: Type.Number({ minimum: 0 }) },
  { additionalProperties: false },
)
export type SplitArm = Static<typeof SplitArmSchema>

/**
 * What a label points at: one version, or a weighted split between versions (A/B). The body of
 * PUT /admin/v1/prompts/:name/labels/:label.
 */
export const LabelTargetSchema = Type.Union([
  Type.Object({ version: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
  Type.Object({ split: Type.Array(SplitArmSchema, { minItems: 1, maxItems: 10 }) }, { additionalProperties: false }),
])
export type LabelTarget = Static<typeof LabelTargetSchema>

export const PromptLabelSchema = Type.Object({
  label: Type.String(),
  target: LabelTargetSchema,
  updatedAt: Type.String(),
})
export type PromptLabel = Static<typeof PromptLabelSchema>

/** One prompt of GET /admin/v1/prompts. */
export const PromptSummarySchema = Type.Object({
  name: Type.String(),
  latestVersion: Type.Integer(),
  model: OrNull(Type.String()),
  labels: Type.Array(PromptLabelSchema),
  /** The workspace the prompt belongs to; only keys of that workspace run it. */
  workspace: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
})
export type PromptSummary = Static<typeof PromptSummarySchema>

/** GET /admin/v1/prompts/:name: the prompt with its latest version. */
export const PromptDetailSchema = Type.Object({
  ...PromptSummarySchema.properties,
  latest: OrNull(PromptVersionSchema),
})
export type PromptDetail = Static<typeof PromptDetailSchema>

/** POST /admin/v1/prompts/:name/versions: the saved version; identical content gives the latest, `created: false`. */
export const PromptSavedSchema = Type.Object({ version: PromptVersionSchema, created: Type.Boolean() })
export type PromptSaved = Static<typeof PromptSavedSchema>

export const DiffLineSchema = Type.Object({
  op: Type.Union([Type.Literal('equal'), Type.Literal('add'), Type.Literal('remove')]),
  text: Type.String(),
})
export type DiffLine = Static<typeof DiffLineSchema>

/** GET /admin/v1/prompts/:name/diff: which parts changed (messages, model, params…) and the line diff. */
export const PromptDiffSchema = Type.Object({
  from: Type.Integer(),
  to: Type.Integer(),
  changed: Type.Array(Type.String()),
  lines: Type.Array(DiffLineSchema),
})
export type PromptDiff = Static<typeof PromptDiffSchema>

/** One entry of GET /admin/v1/prompts/:name/label-history; null `from`: created, null `to`: deleted. */
export const LabelMoveSchema = Type.Object({
  label: Type.String(),
  from: OrNull(LabelTargetSchema),
  to: OrNull(LabelTargetSchema),
  createdAt: Type.String(),
})
export type LabelMove = Static<typeof LabelMoveSchema>

/** POST /admin/v1/prompts/:name/render: the messages a run would send; `missing` lists variables given no value. */
export const PromptRenderSchema = Type.Object({
  version: Type.Integer(),
  variables: Type.Array(Type.String()),
  messages: Type.Array(PromptMessageSchema),
  missing: Type.Array(Type.String()),
})
export type PromptRender = Static<typeof PromptRenderSchema>

/** One check a comparison runs on each cell's output. */
const text = <T extends string>(type: T) =>
  Type.Object({ type: Type.Literal(type), value: Type.String() }, { additionalProperties: false })

export const AssertionSchema = Type.Union([
  text('equals'),
  text('contains'),
  text('icontains'),
  text('regex'),
  Type.Object({ type: Type.Literal('is-json') }, { additionalProperties: false }),
  Type.Object(
    { type: Type.Literal('json-schema'), value: Type.Record(Type.String(), Type.Unknown()) },
    { additionalProperties: false },
  ),
  text('javascript'),
  Type.Object({ type: Type.Literal('max-cost'), value: Type.Number({ minimum: 0 }) }, { additionalProperties: false }),
  Type.Object(
    { type: Type.Literal('max-latency'), value: Type.Number({ minimum: 0 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('llm-rubric'), value: Type.String({ minLength: 1 }), model: Type.Optional(Type.String()) },
    { additionalProperties: false },
  ),
])
export type Assertion = Static<typeof AssertionSchema>

/** How one assertion judged a cell's output. */
export const AssertionResultSchema = Type.Object({
  type: Type.Index(AssertionSchema, ['type']),
  pass: Type.Boolean(),
  score: Type.Number(),
  reason: Type.String(),
})
export type AssertionResult = Static<typeof AssertionResultSchema>

/** Per-arm stats of a prompt (GET /admin/v1/prompts/:name/stats). */
export const ArmStatsSchema = Type.Object({
  /** `label:vN` for calls a split label served, else null (calls by version, fixed label or latest). */
  arm: OrNull(Type.String()),
  version: Type.Integer(),
  requests: Type.Integer(),
  errors: Type.Integer(),
  costUsd: Type.Number(),
  meanLatencyMs: OrNull(Type.Number()),
  thumbsUp: Type.Integer(),
  thumbsDown: Type.Integer(),
})
export type ArmStats = Static<typeof ArmStatsSchema>
