import { toGatewayError } from '../api/error-handler.js'
import type { ChatRequest } from '../core/chat-types.js'
import { GatewayError } from '../core/errors.js'
import { endedByGateway } from '../core/in-flight.js'
import type { LogEvent } from '../core/log-event.js'
import { countTextTokens, estimatePromptTokens } from '../core/tokens.js'
import type { GatewayContext } from '../gateway-context.js'
import { blocking } from '../policies/guardrails/index.js'
import { tryTargets } from '../routing/executor.js'
import { type CallSink, type GatewayCall, keyNameOf } from './call.js'
import { type AnswerPlan, completeAnswer, streamAnswer } from './chat-answer.js'
import { chatJob, upstreamFailure } from './chat-dispatch.js'
import { addHits, guardrailError, isSchemaFailure } from './guardrail-hits.js'
import type { CallState } from './stage.js'
import { CHAT_STAGES } from './stages.js'

/**
 * One chat call from any inbound dialect to whichever target serves it: through the stages (CHAT_STAGES),
 * then dispatched with the route's retries and fallbacks, answered, and logged. Same dialect on both sides:
 * the client's body goes upstream with only `model` replaced and the answer streams back byte for byte
 * (parsing only usage). Otherwise it is translated through the canonical format.
 */
export async function executeCall(gw: GatewayContext, call: GatewayCall, sink: CallSink): Promise<void> {
  const t0 = performance.now()
  const requestedModel = typeof call.body.model === 'string' ? call.body.model : ''
  const stream = call.body.stream === true
  const event: LogEvent = {
    requestId: call.requestId,
    startedAt: Date.now(),
    inboundApi: call.dialect,
    requestedModel,
    status: 0,
    latencyMs: 0,
    stream,
    attempts: 0,
  }
  const abort = call.signal
  // Until its row is pushed: a shutdown waits for that (and ends the call when its grace period is over).
  const settled = gw.inFlight.add(abort)

  // The client's bytes as sent (kept by the JSON parser): cheaper to store than re-serialising the object.
  if (gw.captureBodies) event.requestBody = call.rawBody ?? call.body
  const state: CallState = {
    gw,
    call,
    sink,
    event,
    t0,
    protect: gw.protection.forCall(requestedModel, keyNameOf(call.identity)),
    asSent: call.body,
  }
  let outputText: (() => string) | undefined
  try {
    for (const stage of CHAT_STAGES) {
      const pending = stage.before?.(state)
      if (pending) await pending
      if (state.served) {
        outputText = state.served.outputText
        return
      }
    }
    const canonical = state.canonical!
    const answer: AnswerPlan = {
      vault: state.vault,
      guardrails: state.protect.guardrails?.hasOutput ? state.protect.guardrails : undefined,
      collect: state.lookup !== undefined,
    }
    call.translate = stream && (answer.vault !== undefined || answer.guardrails !== undefined || answer.collect)

    // A reply that fails its JSON schema is asked for again, as often as the guardrail allows. Each try was
    // paid for, so the row counts the tokens of all of them.
    const earlier = { input: 0, output: 0 }
    for (let schemaRetry = 0; ; schemaRetry++) {
      const job = chatJob(gw, call, canonical, event, abort)
      const served = await tryTargets(gw, state.admitted!, state.plan!, event, abort, job)
      sink.header('x-switchyard-provider', served.target.provider.id)
      sink.header('x-switchyard-model', served.target.model)
      sink.header('x-switchyard-attempts', String(event.attempts))
      const { target, res } = served
      const {
        outputText: text,
        send,
        response,
        gatewayFault,
        ...outcome
      } = stream
        ? await streamAnswer(gw, call, sink, canonical, target, res, t0, answer, event, abort)
        : await completeAnswer(gw, call, sink, canonical, target, res, answer).catch((err) => {
            // The upstream's failures are GatewayErrors (a failed read is mapped where it happens); any
            // other exception is the gateway's own and stays one (a 500 below), not the provider's 502.
            throw err instanceof GatewayError ? upstreamFailure(target, err) : err
          })
      Object.assign(event, outcome)
      if (schemaRetry > 0) {
        event.inputTokens = (event.inputTokens ?? 0) + earlier.input
        event.outputTokens = (event.outputTokens ?? 0) + earlier.output
      }
      outputText = text
      // A stream that failed after its first byte cannot fall back, but it still counts against the target
      // when the upstream failed it (not when the caller left or the gateway ended it).
      if (outcome.status >= 500 && !gatewayFault && !abort.aborted) target.breaker.failure(gw.clock())
      else gw.latency.record(target.key, outcome.ttftMs ?? performance.now() - t0)
      if (send) {
        // An answer made only of tool calls has no text for output checks to judge.
        const answerText = text?.() ?? ''
        const hits = (answerText && answer.guardrails?.checkOutput(answerText, outcome.outputTokens)) || []
        addHits(event, hits)
        if (hits.some(isSchemaFailure) && schemaRetry < answer.guardrails!.schemaRetries) {
          earlier.input = event.inputTokens ?? 0
          earlier.output = event.outputTokens ?? 0
          continue
        }
        const blocked = blocking(hits)
        if (blocked) throw guardrailError(blocked)
        send()
      }
      for (const stage of CHAT_STAGES) stage.after?.(state, { status: outcome.status, target, response })
      break
    }
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
    state.admitted?.admission.settle(event)
    const answered = event.status > 0 && (event.status < 400 || event.status === 499)
    if (answered && event.inputTokens === undefined && state.canonical) {
      // The upstream reported no usage (some local servers, broken streams): count with a tokenizer,
      // after the response, and say so in the row.
      estimateTokens(event, state.canonical, outputText?.() ?? '').finally(() => {
        gw.sink.push(event)
        settled()
      })
    } else {
      gw.sink.push(event)
      settled()
    }
  }
}

async function estimateTokens(event: LogEvent, req: ChatRequest, output: string): Promise<void> {
  try {
    event.inputTokens = await estimatePromptTokens(req)
    event.outputTokens = event.outputTokens ?? (output ? await countTextTokens(output) : 0)
    event.isEstimated = true
  } catch {
    // A row without counts beats a lost row.
  }
}
