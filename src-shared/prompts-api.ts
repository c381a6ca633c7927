// Prompt library shapes as the admin API returns them. The gateway owns them; type-only re-exports are
// erased at build time, so the renderer loads no gateway code.

export type { CellStatus } from '../src-gateway/prompts/compare-types.js'
export type {
  LabelTarget,
  PromptContent,
  PromptLabel,
  PromptMessage,
  PromptSummary,
  PromptVersion,
} from '../src-gateway/prompts/types.js'
