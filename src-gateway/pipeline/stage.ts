import type { CacheLookup } from '../api/cached-answer.js'
import type { ChatChunk, ChatRequest, ChatResponse, EmbeddingsRequest } from '../core/chat-types.js'
import type { GatewayError } from '../core/errors.js'
import type { LogEvent } from '../core/log-event.js'
import type { GatewayContext } from '../gateway-context.js'
import type { CallProtection } from '../policies/protection.js'
import type { Vault } from '../policies/redaction/index.js'
import type { PlannedTarget, RoutePlan } from '../routing/plan.js'
import type { AdmittedRequest } from './admission.js'
import type { CallSink, GatewayCall } from './call.js'

/** What a call asks for, decoded: a chat request, or texts to embed. */
export type CallRequest = ChatRequest | EmbeddingsRequest

/** One call on its way through the stages: what each has decided so far. */
export interface CallState<R extends CallRequest = ChatRequest> {
  readonly gw: GatewayContext
  readonly call: GatewayCall
  readonly sink: CallSink
  readonly event: LogEvent
  /** performance.now() when the call arrived. */
  readonly t0: number
  /** The route's and key's redaction, guardrails and cache settings. */
  readonly protect: CallProtection
  /** The client's body as sent: rate limits per end user read its `user` field, which redaction may replace. */
  readonly asSent: Record<string, unknown>
  /** The request decoded (chat: with the route's system instruction applied). */
  canonical?: R
  /** Reversible redaction: the placeholders the answer gets back. */
  vault?: Vault
  admitted?: AdmittedRequest
  plan?: RoutePlan
  /** The cache lookup of a call the cache may answer or keep. */
  lookup?: CacheLookup
  /** Set by a stage that answered the call itself (a cache hit): nothing is dispatched. */
  served?: true
  /** The answer's text, for a token estimate when the upstream reported no usage. */
  outputText?: () => string
}

/** A complete (non-stream) answer, before it is sent: what its hooks may read, and how they may change it. */
export interface CompleteAnswer {
  /** The answer's text as the upstream wrote it (placeholders and all); '' for an answer of only tool calls. */
  text(): string
  outputTokens: number | undefined
  /** The canonical answer, assembled on first ask. */
  response(): ChatResponse
  /**
   * Changes what the client gets (not what the log keeps): `edit` receives the answer as a JSON value in the
   * client's dialect and returns the one to send. Edits apply in the order they were asked for.
   */
  rewrite(edit: (body: unknown) => unknown): void
}

/**
 * What one stage does to one call's answer on its way back. A stage's `answer` makes these once per call
 * (holding whatever state it needs for that call), and only when it has work to do: a call whose stages
 * return no `onChunk` streams same-dialect answers through byte for byte. Hooks run in reverse stage order
 * (the answer unwinds the request), so the first stage (redaction) is the last to touch the answer, and
 * everything before it sees the answer as the upstream wrote it.
 */
export interface AnswerHooks {
  /**
   * A canonical chunk of a streamed answer on its way to the client: returns it (as is or rewritten), or the
   * chunks to send in its place (none, to hold it back). Throws a StopAnswer to end the stream with an error.
   */
  onChunk?(chunk: ChatChunk): ChatChunk | ChatChunk[]
  /** The upstream's stream ended: chunks still held back, if any. Throws a StopAnswer to fail the stream. */
  onStreamEnd?(): ChatChunk[] | undefined
  /**
   * A complete answer before it is sent. Throws (a GatewayError) to refuse it; returns 'retry' to have the
   * call dispatched again (each stage decides how often).
   */
  onComplete?(answer: CompleteAnswer): 'retry' | undefined
  /** The whole answer reached the client (status 200), from `target`. */
  onDelivered?(target: PlannedTarget): void
}

/** Thrown by an answer hook to end a streamed answer with this error (headers are out: an error event). */
export class StopAnswer extends Error {
  constructor(readonly error: GatewayError) {
    super(error.message)
  }
}

/**
 * One policy a call goes through. `before` runs in list order before the call is dispatched (it may answer
 * the call, setting `state.served`, or refuse it by throwing). `answer` is asked once per dispatched call,
 * after every `before`, for the hooks this stage needs on that call's answer. `finally` runs once when the
 * call ends, however it ended (answered, refused, failed, aborted, served from the cache), for every stage
 * whose `before` returned (or that has none and was reached), in reverse order: the place to give back what
 * `before` took.
 */
export interface Stage<R extends CallRequest = ChatRequest> {
  readonly name: string
  before?(state: CallState<R>): void | Promise<void>
  answer?(state: CallState<R>): AnswerHooks | undefined
  finally?(state: CallState<R>): void
}
