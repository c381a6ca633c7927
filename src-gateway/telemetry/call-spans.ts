import {
  type Attributes,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api'
import { ATTR_ERROR_TYPE, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from '@opentelemetry/semantic-conventions'
import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
} from '@opentelemetry/semantic-conventions/incubating'
import type { AttemptFailure, LogEvent } from '../core/log-event.js'
import { type CallDetails, callContent, callDetails, parsedBody } from './call-details.js'
import { type CallFacts, errorType, operationOf, type ProviderInfo } from './call-facts.js'

/** Drops the attributes that have no value, so a span never says more than the event knew. */
function defined(attrs: Record<string, Attributes[string]>): Attributes {
  const out: Attributes = {}
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) out[k] = v
  return out
}

function serverAttrs(p: ProviderInfo | undefined): Attributes {
  return defined({ [ATTR_SERVER_ADDRESS]: p?.address, [ATTR_SERVER_PORT]: p?.port })
}

const usage = (e: LogEvent): Attributes =>
  defined({
    [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: e.inputTokens,
    [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: e.outputTokens,
    [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: e.cachedTokens,
    [ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: e.cacheWriteTokens,
    [ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]: e.reasoningTokens,
  })

const answer = (d: CallDetails): Attributes =>
  defined({ [ATTR_GEN_AI_RESPONSE_ID]: d.responseId, [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: d.finishReasons })

/** One failed try before the answer: timed, so its span says exactly when it ran. */
const isTimed = (f: AttemptFailure): f is AttemptFailure & { startedAt: number; durationMs: number } =>
  f.startedAt !== undefined && f.durationMs !== undefined

/**
 * Writes one finished call as spans, with the times it happened: a SERVER span for the call, a CLIENT
 * span per upstream attempt (failed ones with error status and `error.type`, the one that answered
 * with the response's attributes), and the tool calls the model asked for as events of the answering
 * attempt. A target skipped without a call (open circuit, rate limit) has no time, so it is listed on
 * the call span instead of being given an invented one.
 */
export function writeCallSpans(tracer: Tracer, e: LogEvent, facts: CallFacts): void {
  const op = operationOf(e)
  const end = e.startedAt + e.latencyMs
  // Each body is parsed once, for the attributes and the captured content alike. An embeddings answer is
  // mostly vectors, with nothing a span reports: it is not parsed.
  const request = parsedBody(e.requestBody)
  const response = op === 'embeddings' ? undefined : parsedBody(e.responseBody)
  const details = callDetails(request, response, op === 'embeddings')
  const failed = e.status >= 400
  const serving = e.provider ? facts.provider(e.provider) : undefined
  const skipped = (e.attemptFailures ?? []).filter((f) => !isTimed(f))
  // As in the request log: an answer from the cache cost nothing, and its price is what it saved.
  const price = facts.costUsd(e) ?? undefined
  // The conventions' name, `{operation} {model}`, or the operation alone when the caller named no model.
  const call = tracer.startSpan(e.requestedModel ? `${op} ${e.requestedModel}` : op, {
    kind: SpanKind.SERVER,
    startTime: e.startedAt,
    attributes: defined({
      [ATTR_GEN_AI_OPERATION_NAME]: op,
      [ATTR_GEN_AI_REQUEST_MODEL]: e.requestedModel,
      [ATTR_GEN_AI_PROVIDER_NAME]: serving?.name,
      [ATTR_GEN_AI_RESPONSE_MODEL]: failed ? undefined : e.model,
      [ATTR_GEN_AI_REQUEST_STREAM]: op === 'chat' ? e.stream : undefined,
      [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: details.maxTokens,
      [ATTR_GEN_AI_REQUEST_TEMPERATURE]: details.temperature,
      [ATTR_GEN_AI_REQUEST_TOP_P]: details.topP,
      [ATTR_ERROR_TYPE]: failed ? errorType(e.status, e.error) : undefined,
      'switchyard.request_id': e.requestId,
      'switchyard.inbound_api': e.inboundApi,
      'switchyard.route': e.route,
      'switchyard.provider': e.provider,
      'switchyard.key_name': e.keyName,
      'switchyard.status': e.status,
      'switchyard.attempts': e.attempts,
      'switchyard.cache_hit': e.isCacheHit,
      'switchyard.fallback': e.isFallback,
      'switchyard.downgraded_from': e.downgradedFrom,
      'switchyard.redactions': e.redactions ? Object.values(e.redactions).reduce((a, b) => a + b, 0) : undefined,
      'switchyard.guardrail_hits': e.guardrails?.length,
      'switchyard.cost_usd': e.isCacheHit ? 0 : price,
      'switchyard.cache_saved_usd': e.isCacheHit ? price : undefined,
      'switchyard.prompt.name': e.promptName,
      'switchyard.prompt.version': e.promptVersion,
      'switchyard.skipped_targets': skipped.length
        ? skipped.map((f) => `${f.provider}/${f.model}: ${facts.scrub(f.error)}`)
        : undefined,
    }),
  })
  call.setAttributes(usage(e))
  if (!failed) call.setAttributes(answer(details))
  if (facts.captureContent && op === 'chat') call.setAttributes(contentAttrs(request, response, facts))
  if (failed) call.setStatus({ code: SpanStatusCode.ERROR, message: e.error && facts.scrub(e.error) })
  // A call's trace begins at the gateway.
  const parent = trace.setSpan(ROOT_CONTEXT, call)

  // Attempts are timed by the wall clock and the call by a monotonic one: a millisecond of drift between
  // them must not put an attempt outside its call.
  const within = (t: number) => Math.min(Math.max(t, e.startedAt), end)
  let lastEnd = e.startedAt
  for (const f of e.attemptFailures ?? []) {
    if (!isTimed(f)) continue
    const info = facts.provider(f.provider)
    const span = tracer.startSpan(
      `${op} ${f.model}`,
      {
        kind: SpanKind.CLIENT,
        startTime: within(f.startedAt),
        attributes: {
          [ATTR_GEN_AI_OPERATION_NAME]: op,
          [ATTR_GEN_AI_REQUEST_MODEL]: f.model,
          ...defined({ [ATTR_GEN_AI_PROVIDER_NAME]: info?.name, 'switchyard.provider': f.provider }),
          ...serverAttrs(info),
          [ATTR_ERROR_TYPE]: errorType(f.status, f.error),
        },
      },
      parent,
    )
    span.setStatus({ code: SpanStatusCode.ERROR, message: facts.scrub(f.error) })
    lastEnd = within(f.startedAt + f.durationMs)
    span.end(lastEnd)
  }

  // The attempt that answered (or failed after its answer began) is the one call not listed as failed.
  // Its start is not recorded: the span begins no earlier than the previous attempt ended, so it may
  // include a backoff wait, never time the attempt did not have.
  const timedFailures = (e.attemptFailures ?? []).filter(isTimed).length
  if (e.provider && e.model && e.attempts > timedFailures && !e.isCacheHit) {
    const span = tracer.startSpan(
      `${op} ${e.model}`,
      {
        kind: SpanKind.CLIENT,
        startTime: lastEnd,
        attributes: defined({
          [ATTR_GEN_AI_OPERATION_NAME]: op,
          [ATTR_GEN_AI_REQUEST_MODEL]: e.model,
          [ATTR_GEN_AI_PROVIDER_NAME]: serving?.name,
          [ATTR_GEN_AI_RESPONSE_MODEL]: failed ? undefined : e.model,
          [ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK]:
            e.stream && e.ttftMs !== undefined && !failed ? e.ttftMs / 1000 : undefined,
          [ATTR_ERROR_TYPE]: failed ? errorType(e.status, e.error) : undefined,
          'switchyard.provider': e.provider,
          ...serverAttrs(serving),
        }),
      },
      parent,
    )
    span.setAttributes(usage(e))
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: e.error && facts.scrub(e.error) })
    else span.setAttributes(answer(details))
    toolCallEvents(span, details, end)
    span.end(end)
  } else toolCallEvents(call, details, end)
  call.end(end)
}

/** The tools the model asked for, as events at the moment its answer was complete. */
function toolCallEvents(span: Span, details: CallDetails, at: number): void {
  for (const t of details.toolCalls)
    span.addEvent(
      'gen_ai.tool.call',
      defined({ [ATTR_GEN_AI_TOOL_NAME]: t.name, [ATTR_GEN_AI_TOOL_CALL_ID]: t.id }),
      at,
    )
}

/** Prompt and answer as the logged (redacted) bodies hold them, with configured secrets scrubbed. */
function contentAttrs(request: unknown, response: unknown, facts: CallFacts): Attributes {
  const c = callContent(request, response)
  const json = (v: unknown) => (v === undefined ? undefined : facts.scrub(JSON.stringify(v)))
  return defined({
    [ATTR_GEN_AI_INPUT_MESSAGES]: json(c.input),
    [ATTR_GEN_AI_SYSTEM_INSTRUCTIONS]: json(c.system),
    [ATTR_GEN_AI_OUTPUT_MESSAGES]: json(c.output),
  })
}
