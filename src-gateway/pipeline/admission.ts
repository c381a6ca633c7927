import type { ChatRequest, EmbeddingsRequest } from '../core/chat-types.js'
import type { LogEvent } from '../core/log-event.js'
import type { GatewayContext } from '../gateway-context.js'
import type { HeaderSink } from '../policies/limiter.js'
import type { Admission } from '../policies/policies.js'

/** Only this module can stamp a request as admitted: nothing else can name the key. */
const stamp: unique symbol = Symbol('admitted')

/**
 * A request its caller's key was admitted for (model allow-list, budget, rate limits, residency). The
 * executor sends only these, so a call path that skips admission does not compile.
 */
export interface AdmittedRequest {
  readonly admission: Admission
  readonly [stamp]: true
}

/**
 * Admits a chat or embeddings call for its key (throws, or rejects with, the 403/429 that refuses it). A
 * Promise only when a policy asked the shared state (Redis).
 */
export function admit(
  gw: GatewayContext,
  keyName: string | undefined,
  headers: HeaderSink,
  event: LogEvent,
  request: ChatRequest | EmbeddingsRequest,
  body: Record<string, unknown>,
): AdmittedRequest | Promise<AdmittedRequest> {
  const admission = gw.policies.admit(keyName, headers, event, request, body)
  if (admission instanceof Promise) return admission.then((a) => ({ admission: a, [stamp]: true }))
  return { admission, [stamp]: true }
}

/**
 * Admits a request that is not a model call (count_tokens) to where its prompt may go: the key's model
 * allow-list (403), what the key's or the UI call's workspace shares, and the route's and key's residency,
 * charging nothing.
 */
export function admitCount(
  gw: GatewayContext,
  keyName: string | undefined,
  model: string,
  workspace?: string,
): AdmittedRequest {
  const settle = () => undefined
  const filterTargets = gw.policies.restrictions(keyName, model, workspace)
  return { admission: { model, filterTargets, settle }, [stamp]: true }
}
