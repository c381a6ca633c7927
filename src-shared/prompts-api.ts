// Prompt library and comparison shapes as the admin API returns them. The gateway owns them; type-only
// re-exports are erased at build time, so the renderer loads no gateway code.

export type { Assertion, AssertionResult } from '../src-gateway/prompts/assertions.js'
export type { Cell, CellStatus, ColumnSummary, RunColumn, RunRow } from '../src-gateway/prompts/compare-types.js'
export type { ArmStats, Rating } from '../src-gateway/prompts/feedback-store.js'
export type {
  LabelTarget,
  PromptContent,
  PromptLabel,
  PromptMessage,
  PromptSummary,
  PromptVersion,
} from '../src-gateway/prompts/types.js'
