import type {
  Cell as CellAnswer,
  CellStatus,
  ColumnSummary,
  RunColumn,
  RunInfo as RunInfoAnswer,
  RunKind,
  RunRow as RunRowAnswer,
  RunSpec,
  RunStatus,
} from '../../src-shared/contract/compare.js'
import type { ChatMessage } from '../core/chat-types.js'

/** Runs, columns, cell states and summaries are the admin contract's shapes. */
export type { CellStatus, ColumnSummary, RunColumn, RunKind, RunSpec, RunStatus }

/**
 * Rows and cells hold the gateway's canonical chat messages, where the contract states the part the UI reads
 * (role and content); AnswerChecks fails to compile when the two drift apart.
 */
export type RunRow = Omit<RunRowAnswer, 'messages'> & { messages?: ChatMessage[] }
export type Cell = Omit<CellAnswer, 'input'> & { input: ChatMessage[] | null }
export type RunInfo = Omit<RunInfoAnswer, 'rows'> & { rows: RunRow[] }

type Assignable<T extends U, U> = [T, U]
export type AnswerChecks = [
  Assignable<RunRow, RunRowAnswer>,
  Assignable<Cell, CellAnswer>,
  Assignable<RunInfo, RunInfoAnswer>,
]
