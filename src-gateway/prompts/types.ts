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

export type Variables = Record<string, unknown>
