import { type Static, Type } from 'typebox'
import type { BudgetPeriod, OnExceed } from './keys.js'
import type { ModelPricing } from './pricing.js'
import { WorkspaceIdSchema } from './workspaces.js'

/** GET /admin/v1/portal: one workspace's view; absent, the principal's first workspace (or `default`). */
export const PortalQuerySchema = Type.Object(
  { workspace: Type.Optional(WorkspaceIdSchema) },
  { additionalProperties: false },
)
export type PortalQuery = Static<typeof PortalQuerySchema>

export type PortalItemKind = 'route' | 'model' | 'prompt'

export type PortalSnippetId =
  | 'curl'
  | 'openai-python'
  | 'openai-js'
  | 'anthropic-python'
  | 'anthropic-js'
  | 'claude-code'
  | 'codex'

/** A ready-to-paste snippet; the key is always the `<your key>` placeholder, never a secret. */
export interface PortalSnippet {
  id: PortalSnippetId
  label: string
  language: 'shell' | 'python' | 'javascript' | 'toml'
  code: string
}

/** USD per 1M tokens, from the price book (as the Models page shows it). */
export interface PortalPrice {
  inputPerMtokUsd: number
  outputPerMtokUsd: number
  source: ModelPricing['source']
}

/** Something a workspace may call. */
export interface PortalItem {
  kind: PortalItemKind
  /** Unique in the answer: the route's name, `provider/model`, or `prompt:<name>`. */
  id: string
  /** What goes in the request's `model` (a prompt's stored model; null when the prompt names none). */
  model: string | null
  /** Routes: their targets; prompts: the prompt's name; models: the provider. */
  detail: string
  /** The HTTP path the snippets call. */
  endpoint: string
  price: PortalPrice | null
  contextWindow: number | null
  /** The workspace's keys whose model globs allow this item (their limits are in `keys`). */
  keys: string[]
  snippets: PortalSnippet[]
}

/** One of the workspace's keys, without its secret: what limits the calls made with it. */
export interface PortalKey {
  name: string
  models: string[] | null
  limits: { rpm?: number; tpm?: number; perUserRpm?: number } | null
  budget: { usd: number; period: BudgetPeriod } | null
  expiresAt: string | null
}

export interface PortalWorkspace {
  id: string
  name: string
}

/** The workspace's own budget (`workspaces.<id>.budget`): what all its keys' and UI calls together may spend. */
export interface PortalWorkspaceBudget {
  usd: number
  period: BudgetPeriod
  onExceed: OnExceed
  /** What its calls have cost in the current period (USD). */
  spent: number
}

/** GET /admin/v1/portal. */
export interface PortalAnswer {
  workspace: PortalWorkspace
  /** Null when the workspace has no budget of its own (its keys may still have theirs). */
  workspaceBudget: PortalWorkspaceBudget | null
  /** Rate limits over all the workspace's calls; null when it has none. */
  workspaceLimits: { rpm?: number; tpm?: number } | null
  /** The workspaces the caller may pick (their own; every one for owners and admins). */
  workspaces: PortalWorkspace[]
  /** The gateway's address as the caller reached it; the snippets use it. */
  baseUrl: string
  keys: PortalKey[]
  items: PortalItem[]
  total: number
}

/** POST /admin/v1/portal/requests: ask for `model` on one of your workspaces' keys. */
export const AccessRequestBodySchema = Type.Object(
  {
    model: Type.String({ minLength: 1, maxLength: 256 }),
    key: Type.String({ minLength: 1, maxLength: 128 }),
    reason: Type.String({ maxLength: 1000 }),
  },
  { additionalProperties: false },
)
export type AccessRequestBody = Static<typeof AccessRequestBodySchema>

export const AccessRequestParamsSchema = Type.Object({ id: Type.String({ pattern: '^ar_[A-Za-z0-9_-]{1,32}$' }) })
export type AccessRequestParams = Static<typeof AccessRequestParamsSchema>

export const AccessRequestsQuerySchema = Type.Object({}, { additionalProperties: false })

export interface AccessRequest {
  id: string
  model: string
  key: string
  workspace: string
  reason: string
  status: 'pending' | 'approved' | 'denied'
  /** `person:<id>` or `service:<id>` (or `admin-token`), with the name shown. */
  requester: string
  requesterName: string
  decidedBy: string | null
  decidedByName: string | null
  createdAt: string
  decidedAt: string | null
}
