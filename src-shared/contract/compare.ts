import { type Static, Type } from 'typebox'
import { PageQueryFields } from './common.js'
import type { Rating } from './feedback.js'
import { LogFilterSchema } from './logs.js'
import { type AssertionResult, AssertionSchema, PromptMessageSchema } from './prompts.js'

/*
 * Comparisons under /admin/v1/compare: side by side (streamed), batch matrices over a dataset, replays of logged
 * traffic, and the stored runs. Requests as schemas; answers as the types the UI reads.
 */

export const RunKindSchema = Type.Union([Type.Literal('side-by-side'), Type.Literal('matrix'), Type.Literal('replay')])
export type RunKind = Static<typeof RunKindSchema>
export type RunStatus = 'running' | 'done' | 'cancelled' | 'failed'
export type CellStatus = 'queued' | 'running' | 'done' | 'error' | 'cancelled'

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
export const RunListQuerySchema = Type.Object({ kind: Type.Optional(RunKindSchema), ...PageQueryFields })
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
export interface RunSpec {
  kind: RunKind
  name?: string
  /** Template messages (with `{{variables}}`) when no stored prompt is used. */
  messages?: Static<typeof PromptMessageSchema>[]
  params?: Record<string, unknown>
  assertions: Static<typeof AssertionSchema>[]
  grader?: string
  concurrency?: Record<string, number>
}

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

export interface RunProgress {
  total: number
  finished: number
  queued: number
  running: number
  errors: number
  cancelled: number
  costUsd: number
}

/** A stored run without its cells. */
export interface RunInfo {
  id: number
  kind: RunKind
  name: string | null
  status: RunStatus
  parentRunId: number | null
  createdAt: string
  finishedAt: string | null
  spec: RunSpec
  rows: RunRow[]
  columns: RunColumn[]
  progress: RunProgress
  summaries: ColumnSummary[]
}

/**
 * GET /admin/v1/compare/runs/:id, and what starting one answers (202): the run with its cells, and whether it
 * is still running in this gateway.
 */
export interface RunSnapshot extends RunInfo {
  isActive: boolean
  cells: Cell[]
}

/** POST /admin/v1/compare/replay: `skipped` logged calls had a body that could not be read. */
export interface ReplayStarted extends RunSnapshot {
  skipped: number
}

/** POST /admin/v1/compare/runs/:id/cancel: `cancelled` is false when the run had already ended. */
export interface RunCancelled extends RunSnapshot {
  cancelled: boolean
}

/** One run of GET /admin/v1/compare/runs; `columns` are the column labels. */
export interface RunListItem {
  id: number
  kind: RunKind
  name: string | null
  status: RunStatus
  createdAt: string
  finishedAt: string | null
  rows: number
  columns: string[]
  parentRunId: number | null
}

/** A cell as a diff shows it. */
export interface CellBrief {
  status: CellStatus
  pass: boolean | null
  output: string | null
  costUsd: number | null
  latencyMs: number | null
}

/**
 * GET /admin/v1/compare/runs/:id/diff: deltas against the earlier run, and the cells that changed (matched by
 * row and column label; `col` -1 for a cell only the earlier run has).
 */
export interface RunDiff {
  runId: number
  againstRunId: number
  passRateDelta: number | null
  costDeltaUsd: number
  meanLatencyDeltaMs: number | null
  changed: { row: number; col: number; label: string; before: CellBrief | null; after: CellBrief | null }[]
}

/** POST /admin/v1/compare/dataset: the columns, the row count and the first 20 rows. */
export interface DatasetPreview {
  columns: string[]
  total: number
  rows: Record<string, unknown>[]
}

/**
 * The side-by-side stream's events: `run`, then `cell`/`delta`/`done` per column, then `end` (its status null when
 * the run was deleted meanwhile).
 */
export type SideBySideEvent =
  | { event: 'run'; data: { runId: number; columns: RunColumn[] } }
  | { event: 'cell'; data: { col: number; status: 'running' } }
  | { event: 'delta'; data: { col: number; text: string } }
  | { event: 'done'; data: { col: number; cell: Cell } }
  | { event: 'end'; data: { runId: number; status: RunStatus | null } }
