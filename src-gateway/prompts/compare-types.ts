import type {
  Cell as CellAnswer,
  CellStatus,
  ColumnSummary,
  RunColumn,
  RunRow as RunRowAnswer,
} from '../../src-shared/contract/prompts.js'
import type { ChatMessage } from '../core/chat-types.js'
import type { Assertion, AssertionResult } from './assertions.js'
import type { Rating } from './feedback-store.js'
import type { PromptMessage, Variables } from './types.js'

/** Columns, cell states and summaries are the admin contract's shapes. */
export type { CellStatus, ColumnSummary, RunColumn }

export type RunKind = 'side-by-side' | 'matrix' | 'replay'
export type RunStatus = 'running' | 'done' | 'cancelled' | 'failed'

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

/**
 * Rows and cells hold the gateway's canonical chat messages; the contract states them as the UI reads them.
 * These fail to compile when the two drift apart.
 */
type Assignable<T extends U, U> = [T, U]
export type AnswerChecks = [Assignable<RunRow, RunRowAnswer>, Assignable<Cell, CellAnswer>]
