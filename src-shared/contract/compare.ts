import { type Static, type TProperties, Type } from 'typebox'
import { OrNull, PageQueryFields } from './common.js'
import { RatingSchema } from './feedback.js'
import { LogFilterSchema } from './logs.js'
import { AssertionResultSchema, AssertionSchema, PromptMessageSchema } from './prompts.js'
import { WorkspaceIdSchema } from './workspaces.js'

/*
 * Comparisons under /admin/v1/compare: side by side (streamed), batch matrices over a dataset, replays of logged
 * traffic, and the stored runs. Requests as schemas; answers as the types the UI reads.
 */

export const RunKindSchema = Type.Union([Type.Literal('side-by-side'), Type.Literal('matrix'), Type.Literal('replay')])
export type RunKind = Static<typeof RunKindSchema>
export const RunStatusSchema = Type.Union([
  Type.Literal('running'),
  Type.Literal('done'),
  Type.Literal('cancelled'),
  Type.Literal('failed'),
])
export type RunStatus = Static<typeof RunStatusSchema>
export const CellStatusSchema = Type.Union([
  Type.Literal('queued'),
  Type.Literal('running'),
  Type.Literal('done'),
  Type.Literal('error'),
  Type.Literal('cancelled'),
])
export type CellStatus = Static<typeof CellStatusSchema>

const Models = (min: number, max: number) =>
  Type.Array(Type.String({ minLength: 1 }), { minItems: min, maxItems: max, uniqueItems: true })
const Variables = Type.Record(Type.String(), Type.Unknown())

/** A stored prompt: its latest version, or one by number or label. */
export const PromptRefSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
    label: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
)
export type PromptRef = Static<typeof PromptRefSchema>

const CallFields = {
  /** Request parameters for every call (temperature, max_tokens…). */
  params: Type.Optional(Variables),
  /** Concurrent calls per provider id; local providers default to 1, others to 4. */
  concurrency: Type.Optional(Type.Record(Type.String(), Type.Integer({ minimum: 1, maximum: 64 }))),
  /** The workspace the run belongs to (team mode); absent: the x-switchyard-workspace header's, else the caller's. */
  workspace: Type.Optional(WorkspaceIdSchema),
}
const GradingFields = {
  assertions: Type.Optional(Type.Array(AssertionSchema, { maxItems: 50 })),
  /** Default model for llm-rubric assertions that name none. */
  grader: Type.Optional(Type.String({ minLength: 1 })),
}

/** POST /admin/v1/compare: one prompt (`messages`, or a stored `prompt` with its values) on each model, streamed. */
export const SideBySideBodySchema = Type.Object(
  {
    models: Models(1, 6),
    messages: Type.Optional(Type.Array(PromptMessageSchema, { minItems: 1 })),
    prompt: Type.Optional(
      Type.Object(
        { ...PromptRefSchema.properties, variables: Type.Optional(Variables) },
        { additionalProperties: false },
      ),
    ),
    ...CallFields,
  },
  { additionalProperties: false },
)
export type SideBySideBody = Static<typeof SideBySideBodySchema>

/** A dataset: its rows, or a CSV or JSON-lines text to parse. */
export const DatasetSchema = Type.Object(
  {
    rows: Type.Optional(Type.Array(Variables, { maxItems: 5000 })),
    format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('jsonl')])),
    text: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
)
export type Dataset = Static<typeof DatasetSchema>

/** POST /admin/v1/compare/runs: a matrix of prompt versions (or `messages`) × models × dataset rows. */
export const MatrixBodySchema = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    prompts: Type.Optional(Type.Array(PromptRefSchema, { minItems: 1, maxItems: 10 })),
    messages: Type.Optional(Type.Array(PromptMessageSchema, { minItems: 1 })),
    models: Models(1, 10),
    dataset: Type.Optional(DatasetSchema),
    ...GradingFields,
    ...CallFields,
  },
  { additionalProperties: false },
)
export type MatrixBody = Static<typeof MatrixBodySchema>

/** POST /admin/v1/compare/replay: logged calls (the log filter's, newest first) sent again to other models. */
export const ReplayBodySchema = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    filter: Type.Optional(LogFilterSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    models: Models(1, 10),
    ...GradingFields,
    ...CallFields,
  },
  { additionalProperties: false },
)
export type ReplayBody = Static<typeof ReplayBodySchema>

/** POST /admin/v1/compare/dataset: a dataset text parsed for a preview. */
export const DatasetParseBodySchema = Type.Object(
  { format: Type.Union([Type.Literal('csv'), Type.Literal('jsonl')]), text: Type.String() },
  { additionalProperties: false },
)
export type DatasetParseBody = Static<typeof DatasetParseBodySchema>

/** POST /admin/v1/compare/runs/:id/rerun: with `failuresOnly`, cells that passed are copied, the rest run again. */
export const RerunBodySchema = Type.Union([
  Type.Object({ failuresOnly: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
  Type.Null(),
])
export type RerunBody = Static<typeof RerunBodySchema>

/** `:id` of /admin/v1/compare/runs/:id and everything under it. */
export const RunParamsSchema = Type.Object({ id: Type.Integer({ minimum: 1 }) })
export type RunParams = Static<typeof RunParamsSchema>

/** GET /admin/v1/compare/runs: stored runs, newest first. */
export const RunListQuerySchema = Type.Object({
  kind: Type.Optional(RunKindSchema),
  /** One workspace's runs (within the caller's). */
  workspace: Type.Optional(WorkspaceIdSchema),
  ...PageQueryFields,
})
export type RunListQuery = Static<typeof RunListQuerySchema>

/** GET /admin/v1/compare/runs/:id/diff?against=: what changed since an earlier run. */
export const RunDiffQuerySchema = Type.Object({ against: Type.Integer({ minimum: 1 }) })
export type RunDiffQuery = Static<typeof RunDiffQuerySchema>

/** GET /admin/v1/compare/runs/:id/export: the run with its cells as JSON, or one CSV line per cell. */
export const RunExportQuerySchema = Type.Object({
  format: Type.Union([Type.Literal('csv'), Type.Literal('json')], { default: 'json' }),
})
export type RunExportQuery = Static<typeof RunExportQuerySchema>

/** How a run was asked for; kept with the run so it can be re-run as it was. */
export const RunSpecSchema = Type.Object({
  kind: RunKindSchema,
  name: Type.Optional(Type.String()),
  /** Template messages (with `{{variables}}`) when no stored prompt is used. */
  messages: Type.Optional(Type.Array(PromptMessageSchema)),
  params: Type.Optional(Variables),
  assertions: Type.Array(AssertionSchema),
  grader: Type.Optional(Type.String()),
  concurrency: Type.Optional(Type.Record(Type.String(), Type.Integer())),
})
export type RunSpec = Static<typeof RunSpecSchema>

/** A message as a comparison shows it: the gateway's canonical chat message, of which the UI reads these. */
export const ShownMessageSchema = Type.Object({ role: Type.String(), content: Type.Optional(Type.Unknown()) })
export type ShownMessage = Static<typeof ShownMessageSchema>

/** One dataset row: variables, or the messages of a logged request being replayed. */
export const RunRowSchema = Type.Object({
  vars: Variables,
  messages: Type.Optional(Type.Array(ShownMessageSchema)),
  /** The logged call a replay row came from. */
  original: Type.Optional(
    Type.Object({
      logId: Type.Integer(),
      requestId: Type.String(),
      model: OrNull(Type.String()),
      output: OrNull(Type.String()),
      costUsd: OrNull(Type.Number()),
      latencyMs: Type.Number(),
      inputTokens: OrNull(Type.Integer()),
      outputTokens: OrNull(Type.Integer()),
    }),
  ),
})
export type RunRow = Static<typeof RunRowSchema>

/** One column: a model, with the prompt version it runs, if any. */
export const RunColumnSchema = Type.Object({
  model: Type.String(),
  promptName: Type.Optional(Type.String()),
  promptVersion: Type.Optional(Type.Integer()),
  promptVersionId: Type.Optional(Type.Integer()),
  /** Header text, e.g. `greet·v2 · mock/a`. */
  label: Type.String(),
})
export type RunColumn = Static<typeof RunColumnSchema>

export const CellSchema = Type.Object({
  row: Type.Integer(),
  col: Type.Integer(),
  model: Type.String(),
  status: CellStatusSchema,
  output: OrNull(Type.String()),
  /** The messages sent (rendered prompt). */
  input: OrNull(Type.Array(ShownMessageSchema)),
  inputTokens: OrNull(Type.Integer()),
  outputTokens: OrNull(Type.Integer()),
  costUsd: OrNull(Type.Number()),
  latencyMs: OrNull(Type.Number()),
  ttftMs: OrNull(Type.Number()),
  error: OrNull(Type.String()),
  requestId: OrNull(Type.String()),
  /** null until assertions ran (or when the call failed). */
  pass: OrNull(Type.Boolean()),
  score: OrNull(Type.Number()),
  assertions: Type.Array(AssertionResultSchema),
  rating: OrNull(RatingSchema),
})
export type Cell = Static<typeof CellSchema>

export const ColumnSummarySchema = Type.Object({
  col: Type.Integer(),
  label: Type.String(),
  cells: Type.Integer(),
  done: Type.Integer(),
  errors: Type.Integer(),
  passRate: OrNull(Type.Number()),
  totalCostUsd: Type.Number(),
  meanLatencyMs: OrNull(Type.Number()),
})
export type ColumnSummary = Static<typeof ColumnSummarySchema>

export const RunProgressSchema = Type.Object({
  total: Type.Integer(),
  finished: Type.Integer(),
  queued: Type.Integer(),
  running: Type.Integer(),
  errors: Type.Integer(),
  cancelled: Type.Integer(),
  costUsd: Type.Number(),
})
export type RunProgress = Static<typeof RunProgressSchema>

/** A stored run without its cells. */
export const RunInfoSchema = Type.Object({
  id: Type.Integer(),
  kind: RunKindSchema,
  name: OrNull(Type.String()),
  status: RunStatusSchema,
  parentRunId: OrNull(Type.Integer()),
  /** The workspace the run belongs to. */
  workspace: Type.String(),
  createdAt: Type.String(),
  finishedAt: OrNull(Type.String()),
  spec: RunSpecSchema,
  rows: Type.Array(RunRowSchema),
  columns: Type.Array(RunColumnSchema),
  progress: RunProgressSchema,
  summaries: Type.Array(ColumnSummarySchema),
})
export type RunInfo = Static<typeof RunInfoSchema>

/**
 * GET /admin/v1/compare/runs/:id, and what starting one answers (202): the run with its cells, and whether it
 * is still running in this gateway.
 */
export const RunSnapshotSchema = Type.Object({
  ...RunInfoSchema.properties,
  isActive: Type.Boolean(),
  cells: Type.Array(CellSchema),
})
export type RunSnapshot = Static<typeof RunSnapshotSchema>

/** POST /admin/v1/compare/replay: `skipped` logged calls had a body that could not be read. */
export const ReplayStartedSchema = Type.Object({ ...RunSnapshotSchema.properties, skipped: Type.Integer() })
export type ReplayStarted = Static<typeof ReplayStartedSchema>

/** POST /admin/v1/compare/runs/:id/cancel: `cancelled` is false when the run had already ended. */
export const RunCancelledSchema = Type.Object({ ...RunSnapshotSchema.properties, cancelled: Type.Boolean() })
export type RunCancelled = Static<typeof RunCancelledSchema>

/** One run of GET /admin/v1/compare/runs; `columns` are the column labels. */
export const RunListItemSchema = Type.Object({
  id: Type.Integer(),
  kind: RunKindSchema,
  name: OrNull(Type.String()),
  status: RunStatusSchema,
  createdAt: Type.String(),
  finishedAt: OrNull(Type.String()),
  rows: Type.Integer(),
  columns: Type.Array(Type.String()),
  parentRunId: OrNull(Type.Integer()),
  workspace: Type.String(),
})
export type RunListItem = Static<typeof RunListItemSchema>

/** A cell as a diff shows it. */
export const CellBriefSchema = Type.Object({
  status: CellStatusSchema,
  pass: OrNull(Type.Boolean()),
  output: OrNull(Type.String()),
  costUsd: OrNull(Type.Number()),
  latencyMs: OrNull(Type.Number()),
})
export type CellBrief = Static<typeof CellBriefSchema>

/**
 * GET /admin/v1/compare/runs/:id/diff: deltas against the earlier run, and the cells that changed (matched by
 * row and column label; `col` -1 for a cell only the earlier run has).
 */
export const RunDiffSchema = Type.Object({
  runId: Type.Integer(),
  againstRunId: Type.Integer(),
  passRateDelta: OrNull(Type.Number()),
  costDeltaUsd: Type.Number(),
  meanLatencyDeltaMs: OrNull(Type.Number()),
  changed: Type.Array(
    Type.Object({
      row: Type.Integer(),
      col: Type.Integer(),
      label: Type.String(),
      before: OrNull(CellBriefSchema),
      after: OrNull(CellBriefSchema),
    }),
  ),
})
export type RunDiff = Static<typeof RunDiffSchema>

/** POST /admin/v1/compare/dataset: the columns, the row count and the first 20 rows. */
export const DatasetPreviewSchema = Type.Object({
  columns: Type.Array(Type.String()),
  total: Type.Integer(),
  rows: Type.Array(Variables),
})
export type DatasetPreview = Static<typeof DatasetPreviewSchema>

/**
 * The side-by-side stream's events: `run`, then `cell`/`delta`/`done` per column, then `end` (its status null when
 * the run was deleted meanwhile).
 */
const Event = <E extends string, D extends TProperties>(event: E, data: D) =>
  Type.Object({ event: Type.Literal(event), data: Type.Object(data) })
export const SideBySideEventSchema = Type.Union([
  Event('run', { runId: Type.Integer(), columns: Type.Array(RunColumnSchema) }),
  Event('cell', { col: Type.Integer(), status: Type.Literal('running') }),
  Event('delta', { col: Type.Integer(), text: Type.String() }),
  Event('done', { col: Type.Integer(), cell: CellSchema }),
  Event('end', { runId: Type.Integer(), status: OrNull(RunStatusSchema) }),
])
export type SideBySideEvent = Static<typeof SideBySideEventSchema>
