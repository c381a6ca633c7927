import type { AttemptFailure, GuardrailHit } from '../../src-shared/contract/logs.js'

/** One finished call through the gateway: what the request log, stats and charts are built from. */
export interface LogEvent {
  requestId: string
  /** Epoch ms when the request arrived. */
  startedAt: number
  /** `mcp` marks a tool call through the MCP hub (mcp/call-log.ts): provider is its server, model its tool. */
  inboundApi: 'openai' | 'anthropic' | 'responses' | 'ollama' | 'embeddings' | 'mcp'
  requestedModel: string
  route?: string
  provider?: string
  model?: string
  keyName?: string
  /** Set when the gateway made the call itself (a comparison's cell, a replay), which has no client key. */
  caller?: 'comparison' | 'replay'
  /** The coding session the call belongs to (Claude Code's session in `metadata.user_id`, Codex's headers, `x-switchyard-session`). */
  sessionId?: string
  /** The project the call belongs to (`x-switchyard-project`, or what the session's tool says). */
  project?: string
  /** The tool that made the call, from its user-agent: 'claude-code', 'codex', or another short name. */
  clientTool?: string
  /** The workspace of the call's key (`default` for a key without one); unset for calls without a key. */
  workspace?: string
  /** Who the call was made for: `x-switchyard-user`, the body's `user`, Claude Code's account, or the signed-in member. */
  person?: string
  /** Tool calls whose arguments were repaired or lifted out of the model's text into real tool calls. */
  toolCallRepairs?: number
  /** The model the caller asked for when its key's budget was spent and `downgrade:` served another. */
  downgradedFrom?: string
  status: number
  /** 'aborted' when the client went away mid-answer; otherwise the error message, if any. */
  error?: string
  latencyMs: number
  ttftMs?: number
  /** All prompt tokens, cache reads and cache writes included. */
  inputTokens?: number
  outputTokens?: number
  /** Prompt tokens read from the provider's cache; part of `inputTokens`. */
  cachedTokens?: number
  /** Prompt tokens written to the provider's cache (Anthropic); part of `inputTokens`, priced at their own rate. */
  cacheWriteTokens?: number
  reasoningTokens?: number
  /** Token counts were estimated locally because the upstream reported none. */
  isEstimated?: boolean
  stream: boolean
  /**
   * Calls sent upstream. A target skipped without a call (open circuit, its provider's rate limit) is in
   * `attemptFailures` but not counted here, so failures can outnumber attempts.
   */
  attempts: number
  /** The tries that failed, in order (retries and fallbacks). */
  attemptFailures?: AttemptFailure[]
  /** Served by a target other than the first one planned. */
  isFallback?: boolean
  /** Answered from the gateway's cache without calling a provider (the row's cost is then what it saved). */
  isCacheHit?: boolean
  /** Entities redacted from the request before it left, by type (e.g. { email: 2 }). */
  redactions?: Record<string, number>
  /** Guardrail checks that fired, in order. */
  guardrails?: GuardrailHit[]
  /** The client's request body as received (parsed JSON or text); secrets are stripped when stored. */
  requestBody?: unknown
  /** The answer sent back (parsed JSON, or the assembled stream); secrets are stripped when stored. */
  responseBody?: unknown
  /** Set when the call ran a stored prompt (`/v1/prompts/{name}/run`): its name and version. */
  promptName?: string
  promptVersion?: number
  /** The A/B arm that served the call when a label splits traffic, e.g. `production:v2`. */
  promptArm?: string
}

/** A guardrail check that fired, and a failed try (stated by the admin contract: log rows carry them). */
export type { AttemptFailure, GuardrailHit }

/** Where log events go. `push` must never block or throw: it is called on the hot path. */
export interface LogSink {
  push(event: LogEvent): void
  /** Flush everything pending; called on shutdown. */
  close(): Promise<void>
}

/** Keeps the last `max` events in memory (tests, and when no database is configured). */
export function createMemorySink(max = 10_000): LogSink & { events: LogEvent[] } {
  const events: LogEvent[] = []
  return {
    events,
    push(e) {
      events.push(e)
      if (events.length > max) events.shift()
    },
    async close() {},
  }
}
