import type {
  LabelTarget,
  PromptContent,
  PromptLabel,
  PromptMessage,
  PromptSummary,
  PromptVersion,
  SplitArm,
} from '../../src-shared/contract/prompts.js'

/** The prompt library's shapes are the admin contract's. */
export type { LabelTarget, PromptContent, PromptLabel, PromptMessage, PromptSummary, PromptVersion, SplitArm }

export type Variables = Record<string, unknown>
