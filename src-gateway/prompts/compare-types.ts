import type { ChatMessage } from '../core/chat-types.js'
import type { Assertion, AssertionResult } from './assertions.js'
import type { Rating } from './feedback-store.js'
import type { PromptMessage, Variables } from './types.js'

export type RunKind = 'side-by-side' | 'matrix' | 'replay'
export type RunStatus = 'running' | 'done' | 'cancelled' | 'failed'
export type CellStatus = 'queued' | 'running' | 'done' | 'error' | 'cancelled'

/** How a run was asked for; kept with the run so it can be re-run as it was. */
export interface RunSpec {
  kind: RunKind
  name?: string
  /** Template messages (with `{{variables}}`) when no stored prompt is used. */
  messages?: PromptMessage[]
  /** Request parameters for every call (temperature, max_tokens…). */
  params?: Record<string, unknown>
  assertions: Assertion[]
  /** Default model for llm-rubric assertions that name none. */
  grader?: string
  /** Concurrent calls per provider id; local providers default to 1, others to 4. */
  concurrency?: Record<string, number>
}

/** One dataset row: variables, or the messages of a logged request being replayed. */
export interface RunRow {
  vars: Variables
  messages?: ChatMessage[]
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
  input: ChatMessage[] | null
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
