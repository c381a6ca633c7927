import { toGatewayError } from '../api/error-handler.js'
import { endedByGateway } from '../core/in-flight.js'
import type { LogEvent } from '../core/log-event.js'
import type { GatewayContext } from '../gateway-context.js'
import { attributeCall } from '../sessions/attribution.js'
import { type CallSink, type GatewayCall, keyNameOf, workspaceOf } from './call.js'
import type { CallRequest, CallState, Stage } from './stage.js'

/** One kind of call (chat, embeddings, token counting): its stages, and what happens once they let it through. */
export interface CallKind<R extends CallRequest> {
  /** The log's name for the inbound API; a chat call's is its dialect. */
  readonly inboundApi?: LogEvent['inboundApi']
  readonly stages: readonly Stage<R>[]
  /** Whether the call gets a row in the request log (a token count does not). */
  readonly logged: boolean
  /** Whether the row keeps the client's body (with `captureBodies`): chat calls only. */
  readonly logsBody: boolean
  /**
   * Runs once every stage's `before` let the call through and none answered it: sends the call and answers
   * on the sink. `reached` stages get their answer hooks asked for.
   */
  dispatch(state: CallState<R>, reached: number): Promise<void>
  /** Work the row waits for once the call ended (a token estimate), if any. */
  beforeLog?(state: CallState<R>): Promise<void> | undefined
}

/**
 * Runs one call through its kind's stages and dispatch, answers its failures in the caller's format, gives
 * every stage that let it through its `finally`, and logs it. A shutdown waits for the call until its row
 * is written (and ends it when its grace period is over).
 */
export async function runCall<R extends CallRequest>(
  gw: GatewayContext,
  call: GatewayCall,
  sink: CallSink,
  kind: CallKind<R>,
): Promise<void> {
  const t0 = performance.now()
  const requestedModel = typeof call.body.model === 'string' ? call.body.model : ''
  const event: LogEvent = {
    requestId: call.requestId,
    startedAt: Date.now(),
    inboundApi: kind.inboundApi ?? call.dialect,
    requestedModel,
    status: 0,
    latencyMs: 0,
    stream: call.body.stream === true,
    attempts: 0,
  }
  if (call.identity.kind === 'system') event.caller = call.identity.purpose
  // A UI call has no key to take a workspace from: the one it was made in (the auth hook's) is its own.
  const workspace = workspaceOf(call.identity)
  if (workspace) event.workspace = workspace
  attributeCall(event, call)
  const abort = call.signal
  const settled = gw.inFlight.add(abort)
  // The client's bytes as sent (kept by the JSON parser): cheaper to store than re-serialising the object.
  if (kind.logsBody && gw.captureBodies) event.requestBody = call.rawBody ?? call.body
  const state: CallState<R> = {
    gw,
    call,
    sink,
    event,
    t0,
    protect: gw.protection.forCall(requestedModel, keyNameOf(call.identity)),
    asSent: call.body,
  }
  const { stages } = kind
  // How many stages' `before` returned: those get their `finally`.
  let reached = 0
  try {
    for (const stage of stages) {
      const pending = stage.before?.(state)
      if (pending) await pending
      reached++
      if (state.served) return
    }
    await kind.dispatch(state, reached)
  } catch (error) {
    // A call the gateway ended (shutting down) tells its caller why; one whose caller left is a 499.
    const ended = endedByGateway(abort)
    const err = ended ?? toGatewayError(error)
    const clientLeft = abort.aborted && !ended
    if (err.kind === 'internal' && !abort.aborted) sink.logError(error, 'unhandled error')
    event.status = clientLeft ? 499 : err.status
    event.error = clientLeft ? 'aborted' : err.message
    sink.error(err)
  } finally {
    event.latencyMs = performance.now() - t0
    for (let i = reached - 1; i >= 0; i--) {
      const stage = stages[i]
      try {
        stage.finally?.(state)
      } catch (err) {
        // One stage's failure to clean up must not keep the others from theirs, nor lose the row.
        sink.logError(err, `stage '${stage.name}' failed at the end of a call`)
      }
    }
    state.admitted?.admission.settle(event)
    const last = kind.logged ? kind.beforeLog?.(state) : undefined
    const done = () => {
      if (kind.logged) gw.sink.push(event)
      settled()
    }
    if (last) last.finally(done)
    else done()
  }
}
