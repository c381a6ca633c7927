import type { ChatRequest } from '../core/chat-types.js'
import { GatewayError } from '../core/errors.js'
import type { LogEvent } from '../core/log-event.js'
import { countTextTokens, estimatePromptTokens } from '../core/tokens.js'
import type { GatewayContext } from '../gateway-context.js'
import { tryTargets } from '../routing/executor.js'
import { callAnswer } from './answer-hooks.js'
import type { CallSink, GatewayCall } from './call.js'
import { completeAnswer, streamAnswer } from './chat-answer.js'
import { chatJob, upstreamFailure } from './chat-dispatch.js'
import { type CallKind, runCall } from './run-call.js'
import type { CallState } from './stage.js'
import { CHAT_STAGES } from './stages.js'

/**
 * Dispatches a chat call the stages let through, with the route's retries and fallbacks, and answers it
 * through the stages' answer hooks. Same dialect on both sides and no stage looking at the stream: the
 * client's body goes upstream with only `model` replaced and the answer streams back byte for byte
 * (parsing only usage). Otherwise it is translated through the canonical format.
 */
async function dispatchChat(state: CallState, reached: number): Promise<void> {
  const { gw, call, sink, event, t0 } = state
  const abort = call.signal
  const canonical = state.canonical!
  const stream = event.stream
  // Decided once per call: a stream no stage looks at is passed through as it came.
  const answer = callAnswer(CHAT_STAGES, reached, state)
  call.translate = stream && answer.chunks !== undefined

  // A hook may ask for a complete answer again (a reply that fails its JSON schema). Each try was paid
  // for, so the row counts the tokens of all of them.
  const earlier = { input: 0, output: 0 }
  for (let again = false; ; again = true) {
    const job = chatJob(gw, call, canonical, event, abort)
    const { target, res } = await tryTargets(gw, state.admitted!, state.plan!, event, abort, job)
    sink.header('x-switchyard-provider', target.provider.id)
    sink.header('x-switchyard-model', target.model)
    sink.header('x-switchyard-attempts', String(event.attempts))
    const {
      outputText,
      send,
      answer: complete,
      gatewayFault,
      ...outcome
    } = stream
      ? await streamAnswer(gw, call, sink, canonical, target, res, t0, answer.chunks, abort)
      : await completeAnswer(gw, call, sink, canonical, target, res).catch((err) => {
          // The upstream's failures are GatewayErrors (a failed read is mapped where it happens); any
          // other exception is the gateway's own and stays one (a 500), not the provider's 502.
          throw err instanceof GatewayError ? upstreamFailure(target, err) : err
        })
    Object.assign(event, outcome)
    if (again) {
      event.inputTokens = (event.inputTokens ?? 0) + earlier.input
      event.outputTokens = (event.outputTokens ?? 0) + earlier.output
    }
    state.outputText = outputText
    // A stream that failed after its first byte cannot fall back, but it still counts against the target
    // when the upstream failed it (not when the caller left or the gateway ended it).
    if (outcome.status >= 500 && !gatewayFault && !abort.aborted) target.breaker.failure(gw.clock())
    else gw.latency.record(target.key, outcome.ttftMs ?? performance.now() - t0)
    if (send) {
      if (complete && answer.complete(complete) === 'retry') {
        earlier.input = event.inputTokens ?? 0
        earlier.output = event.outputTokens ?? 0
        continue
      }
      send()
    }
    if (outcome.status === 200) answer.delivered(target)
    return
  }
}

const CHAT: CallKind<ChatRequest> = {
  stages: CHAT_STAGES,
  logged: true,
  logsBody: true,
  dispatch: dispatchChat,
  beforeLog({ event, canonical, outputText }) {
    const answered = event.status > 0 && (event.status < 400 || event.status === 499)
    // The upstream reported no usage (some local servers, broken streams): count with a tokenizer, after
    // the response, and say so in the row.
    if (!answered || event.inputTokens !== undefined || !canonical) return undefined
    return estimateTokens(event, canonical, outputText?.() ?? '')
  },
}

/** One chat call from any inbound dialect to whichever target serves it: CHAT_STAGES, then dispatched. */
export function executeCall(gw: GatewayContext, call: GatewayCall, sink: CallSink): Promise<void> {
  return runCall(gw, call, sink, CHAT)
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
