import type { CacheLookup } from '../api/cached-answer.js'
import type { ChatRequest, ChatResponse } from '../core/chat-types.js'
import type { LogEvent } from '../core/log-event.js'
import type { GatewayContext } from '../gateway-context.js'
import type { CallProtection } from '../policies/protection.js'
import type { Vault } from '../policies/redaction/index.js'
import type { PlannedTarget, RoutePlan } from '../routing/plan.js'
import type { AdmittedRequest } from './admission.js'
import type { CallSink, GatewayCall } from './call.js'

/** One chat call on its way through the stages: what each has decided so far. */
export interface CallState {
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
  canonical?: ChatRequest
  /** Reversible redaction: the placeholders the answer gets back. */
  vault?: Vault
  admitted?: AdmittedRequest
  plan?: RoutePlan
  /** The cache lookup of a call the cache may answer or keep. */
  lookup?: CacheLookup
  /** Set by a stage that answered the call itself (a cache hit): nothing is dispatched. */
  served?: { outputText?: () => string }
}

/** What a dispatched call was answered with, for the stages that look at it afterwards. */
export interface DispatchResult {
  status: number
  target: PlannedTarget
  /** The canonical answer, when one was assembled (the cache asked for it). */
  response?: ChatResponse
}

/**
 * One policy a chat call goes through. `before` runs in list order before the call is dispatched (and may
 * answer it, setting `state.served`); `after` runs once the answer was sent.
 */
export interface Stage {
  readonly name: string
  before?(state: CallState): void | Promise<void>
  after?(state: CallState, result: DispatchResult): void
}
