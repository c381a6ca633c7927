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

/** One message of a prompt template; `content` may hold `{{variable}}` placeholders. */
export interface PromptMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

/** What a prompt version is made of; its hash identifies the version's content. */
export interface PromptContent {
  messages: PromptMessage[]
  /** Default model or route alias; a run may override it. */
  model?: string
  /** Default request parameters (temperature, max_tokens…); a run may override them. */
  params?: Record<string, unknown>
  /** JSON schema for structured output, sent as `response_format: json_schema`. */
  responseSchema?: Record<string, unknown>
}

export interface PromptVersion {
  id: number
  name: string
  version: number
  contentHash: string
  content: PromptContent
  /** Variables the messages use, in order of first appearance. */
  variables: string[]
  note: string | null
  author: string | null
  createdAt: string
}

/** One arm of a label that splits traffic between versions. */
export interface SplitArm {
  version: number
  weight: number
}

/** What a label points at: one version, or a weighted split between versions (A/B). */
export type LabelTarget = { version: number } | { split: SplitArm[] }

export interface PromptLabel {
  label: string
  target: LabelTarget
  updatedAt: string
}

export interface PromptSummary {
  name: string
  latestVersion: number
  model: string | null
  labels: PromptLabel[]
  createdAt: string
  updatedAt: string
}

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

export interface AssertionResult {
  type: Assertion['type']
  pass: boolean
  score: number
  reason: string
}

export type Rating = 'up' | 'down'

/** Per-arm stats of a prompt (GET /admin/v1/prompts/:name/stats). */
export interface ArmStats {
  /** `label:vN` for calls a split label served, else null (calls by version, fixed label or latest). */
  arm: string | null
  version: number
  requests: number
  errors: number
  costUsd: number
  meanLatencyMs: number | null
  thumbsUp: number
  thumbsDown: number
}

export type CellStatus = 'queued' | 'running' | 'done' | 'error' | 'cancelled'

/** A message as a comparison shows it: the gateway's canonical chat message, of which the UI reads these. */
export interface ShownMessage {
  role: string
  content?: unknown
}

/** One dataset row: variables, or the messages of a logged request being replayed. */
export interface RunRow {
  vars: Record<string, unknown>
  messages?: ShownMessage[]
  /** The logged call a replay row came from. */
  original?: {
    logId: number
    requestId: string
    model: string | null
    output: string | null
    costUsd: number | null
    latencyMs: number
    inputTokens: number | null
    outputTokens: number | null
  }
}

/** One column: a model, with the prompt version it runs, if any. */
export interface RunColumn {
  model: string
  promptName?: string
  promptVersion?: number
  promptVersionId?: number
  /** Header text, e.g. `greet·v2 · mock/a`. */
  label: string
}

export interface Cell {
  row: number
  col: number
  model: string
  status: CellStatus
  output: string | null
  /** The messages sent (rendered prompt). */
  input: ShownMessage[] | null
  inputTokens: number | null
  outputTokens: number | null
  costUsd: number | null
  latencyMs: number | null
  ttftMs: number | null
  error: string | null
  requestId: string | null
  /** null until assertions ran (or when the call failed). */
  pass: boolean | null
  score: number | null
  assertions: AssertionResult[]
  rating: Rating | null
}

export interface ColumnSummary {
  col: number
  label: string
  cells: number
  done: number
  errors: number
  passRate: number | null
  totalCostUsd: number
  meanLatencyMs: number | null
}
