// Prompt library and comparison shapes as the admin API returns them, stated by the contract.

export type {
  ArmStats,
  Assertion,
  AssertionResult,
  Cell,
  CellStatus,
  ColumnSummary,
  LabelTarget,
  PromptContent,
  PromptLabel,
  PromptMessage,
  PromptSummary,
  PromptVersion,
  Rating,
  RunColumn,
  RunRow,
} from './contract/prompts.js'
