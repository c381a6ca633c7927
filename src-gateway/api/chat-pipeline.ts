import { once } from 'node:events'
import type { ServerResponse } from 'node:http'
import type { RouteConfig } from '../config/schema.js'
import type { CancelSignal } from '../core/cancel.js'
import type { ChatChunk, ChatRequest, Usage } from '../core/chat-types.js'
import { GatewayError } from '../core/errors.js'
import { endedByGateway } from '../core/in-flight.js'
import type { GuardrailHit, LogEvent } from '../core/log-event.js'
import { createNdjsonParser, createSseParser } from '../core/sse.js'
import { countTextTokens, estimatePromptTokens } from '../core/tokens.js'
import { callTimeouts, type Timeouts, transportError, type UpstreamResponse } from '../core/upstream.js'
import type { GatewayContext } from '../gateway-context.js'
import { admit } from '../pipeline/admission.js'
import type { CallSink, GatewayCall } from '../pipeline/call.js'
import { ResponseAccumulator } from '../policies/cache/index.js'
import { blocking, type Guardrails } from '../policies/guardrails/index.js'
import type { Admission } from '../policies/policies.js'
import { type Redactor, restoreDeep, type Vault } from '../policies/redaction/index.js'
import type { UpstreamRequest } from '../providers/types.js'
import { type AttemptJob, tryTargets } from '../routing/executor.js'
import { type PlannedTarget, planRoute, promptChars } from '../routing/plan.js'
import { resolveModel, type Target } from '../routing/resolve.js'
import { type CacheLookup, cacheBypassed, lookupCache, serveFromCache, storeInCache } from './cached-answer.js'
import { type OpenedStream, openStream } from './early-stream-error.js'
import { toGatewayError } from './error-handler.js'
import { type Outcome, outcome } from './outcome.js'
import { createChunkRestorer } from './restoring-chunks.js'
import { applyRouteSystem } from './route-system.js'
import { countsFromUsage, KEPT_TEXT_CHARS, type StreamTranslator } from './stream-accounting.js'
import type { DialectCodec, PassthroughCodec } from './types.js'
import { scrubUpstreamError } from './upstream-error-scrub.js'

/** What the answer must go through on its way back, from the call's redaction, guardrails and cache. */
export interface AnswerPlan {
  /** Reversible redaction: the placeholders to put back. */
  vault?: Vault
  /** Output guardrails, when the call has any. */
  guardrails?: Guardrails
  /** Assemble the canonical answer so the cache can keep it. */
  collect: boolean
}

/**
 * One chat call from any inbound dialect to whichever target serves it. Same dialect on both sides:
 * the client's body goes upstream with only `model` replaced and the answer streams back byte for
 * byte (parsing only usage). Otherwise it is translated through the canonical format.
 */
export async function executeCall(gw: GatewayContext, call: GatewayCall, sink: CallSink): Promise<void> {
  const { dialect } = call
  const startedAt = Date.now()
  const t0 = performance.now()
  const requestedModel = typeof call.body.model === 'string' ? call.body.model : ''
  const stream = call.body.stream === true
  const event: LogEvent = {
    requestId: call.requestId,
    startedAt,
    inboundApi: dialect,
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
  let canonical: ChatRequest | undefined
  let outputText: (() => string) | undefined
  let admission: Admission | undefined
  try {
    const protect = gw.protection.forCall(requestedModel, call.keyName)
    // Rate limits per end user read the caller's own `user` field, which redaction may replace.
    const asSent = call.body
    // Redaction comes first, on the client's own body: everything after it (pass-through bodies,
    // canonical requests, cache keys, the log) only ever sees the redacted form.
    const vault = protect.redactor ? redactCall(protect.redactor, call, event, gw.captureBodies) : undefined
    // Decoding validates the request, so it happens even when the call ends up as pass-through.
    canonical = call.codec.decodeRequest(call.body)
    canonical = applyRouteSystem(ownRoute(gw, canonical.model), call, canonical)
    const admitted = admit(gw, call.keyName, sink, event, canonical, asSent)
    admission = admitted.admission
    if (protect.guardrails?.hasInput) guardInput(protect.guardrails, canonical, event)
    const plan = await planRoute(gw, await resolveModel(admission.model, gw), canonical, admission.filterTargets)
    event.route = plan.route

    let lookup: CacheLookup | undefined
    if (protect.cache && gw.cache) {
      if (cacheBypassed(call.headers)) sink.header('x-switchyard-cache', 'bypass')
      else {
        lookup = await lookupCache(gw, gw.cache, protect.cache, canonical, abort)
        if (lookup.hit) {
          const { outputText: text, ...served } = serveFromCache(call, sink, canonical, lookup.hit, vault, t0)
          Object.assign(event, served)
          outputText = text
          return
        }
        sink.header('x-switchyard-cache', 'miss')
      }
    }
    const answer: AnswerPlan = {
      vault,
      guardrails: protect.guardrails?.hasOutput ? protect.guardrails : undefined,
      collect: lookup !== undefined,
    }
    call.translate = stream && (vault !== undefined || answer.guardrails !== undefined || answer.collect)

    // A reply that fails its JSON schema is asked for again, as often as the guardrail allows. Each try was
    // paid for, so the row counts the tokens of all of them.
    const earlier = { input: 0, output: 0 }
    for (let schemaRetry = 0; ; schemaRetry++) {
      const served = await tryTargets(gw, admitted, plan, event, abort, chatJob(gw, call, canonical, event, abort))
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
      if (lookup && response && outcome.status === 200 && !event.guardrails?.some((h) => h.action !== 'log')) {
        storeInCache(gw.cache!, lookup, response, target)
      }
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
    admission?.settle(event)
    const answered = event.status > 0 && (event.status < 400 || event.status === 499)
    if (answered && event.inputTokens === undefined && canonical) {
      // The upstream reported no usage (some local servers, broken streams): count with a tokenizer,
      // after the response, and say so in the row.
      estimateTokens(event, canonical, outputText?.() ?? '').finally(() => {
        gw.sink.push(event)
        settled()
      })
    } else {
      gw.sink.push(event)
      settled()
    }
  }
}

/** Redacts the client's body in place of the original; returns the placeholders to restore, if reversible. */
function redactCall(redactor: Redactor, call: GatewayCall, event: LogEvent, captureBodies: boolean): Vault | undefined {
  const redacted = redactor.redactBody(call.body)
  if (!redacted) return undefined
  call.body = redacted.body
  event.redactions = redacted.found
  // The log keeps what left the machine, never the originals.
  if (captureBodies) event.requestBody = redacted.body
  return redacted.vault
}

function addHits(event: LogEvent, hits: GuardrailHit[]): void {
  if (hits.length > 0) event.guardrails = [...(event.guardrails ?? []), ...hits]
}

function guardInput(guardrails: Guardrails, canonical: ChatRequest, event: LogEvent): void {
  const hits = guardrails.checkInput(canonical, () => Math.ceil(promptChars(canonical) / 4))
  addHits(event, hits)
  const blocked = blocking(hits)
  if (blocked) throw guardrailError(blocked)
}

const isSchemaFailure = (h: GuardrailHit) => h.type === 'json_schema'

/** A call a guardrail stopped: the caller's fault or not, it must not be retried as is, so a 400. */
function guardrailError(hit: GuardrailHit): GatewayError {
  return new GatewayError('invalid_request', `blocked by guardrail '${hit.check}' (${hit.stage}): ${hit.detail}`, {
    code: 'guardrail_blocked',
  })
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

/** Chat as the executor tries it on each target: the call's request built for it, sent, its stream opened. */
function chatJob(
  gw: GatewayContext,
  call: GatewayCall,
  canonical: ChatRequest,
  event: LogEvent,
  signal: CancelSignal,
): AttemptJob<UpstreamResponse> {
  return {
    limit: (target) => gw.policies.takeProvider(event, target.provider.id, canonical),
    build: (target) => buildRequest(call, canonical, target),
    send: (target, upstreamReq, probe) =>
      attempt(gw, canonical, target, upstreamReq, signal, attemptTimeouts(target, canonical, probe)).catch((err) => {
        // The upstream's failures arrive as GatewayErrors; anything else is the gateway's own exception.
        if (err instanceof GatewayError) return upstreamFailure(target, err)
        throw err
      }),
  }
}

/**
 * One attempt's timeouts: a call that does not stream waits for its whole answer; a streamed half-open
 * probe waits for its first byte no longer than the breaker allows.
 */
function attemptTimeouts(target: PlannedTarget, canonical: ChatRequest, probe: boolean): Timeouts {
  const stream = canonical.stream === true
  const timeouts = callTimeouts(target.timeouts, stream)
  if (!probe || !stream) return timeouts
  return { ...timeouts, firstByteMs: target.breaker.probeFirstByteMs(timeouts.firstByteMs) }
}

/** An error while reading an upstream body: socket and timeout errors get the provider's name. */
function upstreamFailure(target: PlannedTarget, error: unknown): GatewayError {
  return scrubUpstreamError(readFailure(target, error), target.provider.ctx)
}

/**
 * A failed read as the upstream's GatewayError, not yet scrubbed: for reads whose errors reach a catch
 * that passes every GatewayError through upstreamFailure, so the message is scrubbed once.
 */
function readFailure(target: PlannedTarget, error: unknown, timeouts = target.timeouts): GatewayError {
  const { provider } = target
  return transportError(provider.id, new URL(provider.ctx.baseUrl).origin, error, timeouts)
}

/** A 2xx answer; a stream's first chunk has been read already (see openStream). */
type Answered = UpstreamResponse & { opened?: OpenedStream }

/**
 * The request for one target, or the client error that keeps it from being sent (a field the target's
 * API cannot express). Anything else thrown here is the gateway's own fault and propagates as a 500.
 */
function buildRequest(call: GatewayCall, canonical: ChatRequest, target: Target): UpstreamRequest | GatewayError {
  try {
    const passthrough = passthroughTo(call, target)
    return passthrough
      ? passthroughRequest(call, target, passthrough)
      : target.provider.adapter.chatRequest(forTarget(canonical, target), target.model, target.provider.ctx)
  } catch (err) {
    if (err instanceof GatewayError) return err
    throw err
  }
}

/** Sends one upstream request; resolves with a 2xx response or a GatewayError. */
async function attempt(
  gw: GatewayContext,
  canonical: ChatRequest,
  target: PlannedTarget,
  upstreamReq: UpstreamRequest,
  signal: CancelSignal,
  timeouts: Timeouts,
): Promise<UpstreamResponse | GatewayError> {
  const { provider } = target
  const res = await gw.upstreams.send(
    provider.id,
    provider.ctx.baseUrl,
    upstreamReq,
    timeouts,
    signal,
    provider.maxConnections,
  )
  if (res.status < 300) {
    if (!canonical.stream) return res
    // A stream that fails or stalls before its first chunk is still a failed attempt that can be retried.
    const opened = await openStream(res, provider.id).catch((err) => {
      res.done()
      throw readFailure(target, err, timeouts)
    })
    return opened instanceof GatewayError ? scrubUpstreamError(opened, provider.ctx) : Object.assign(res, { opened })
  }
  const text = await res.text().catch(() => '')
  const err = scrubUpstreamError(provider.adapter.error(res.status, text, res.headers), provider.ctx)
  err.opts.provider ??= provider.id
  return err
}

/** The request with the route's per-target parameters and system instruction applied. */
function forTarget(req: ChatRequest, target: Target): ChatRequest {
  if (!target.params && !target.system) return req
  const out = { ...req, ...target.params }
  if (target.system) out.messages = [{ role: 'system', content: target.system }, ...req.messages]
  return out
}

/** The dialect's pass-through, when this target takes the client's body as it came; else undefined. */
function passthroughTo(call: GatewayCall, target: Target): PassthroughCodec | undefined {
  const usable =
    target.provider.adapter.passthrough === call.dialect && !target.params && !target.system && call.translate !== true
  return usable ? call.codec.passthrough : undefined
}

function passthroughRequest(call: GatewayCall, target: Target, passthrough: PassthroughCodec): UpstreamRequest {
  const { adapter, ctx } = target.provider
  const headers = adapter.passthroughHeaders!(ctx)
  for (const h of passthrough.forwardedHeaders) {
    const v = call.headers[h]
    if (typeof v === 'string') headers[h] = v
  }
  const body = JSON.stringify(passthrough.upstreamBody(call.body, target.model))
  return { method: 'POST', path: adapter.passthroughPath!, headers, body }
}

/** The route a client names, if config has one by that exact name (never an Object.prototype member). */
function ownRoute(gw: GatewayContext, model: string): RouteConfig | undefined {
  return Object.hasOwn(gw.routes, model) ? gw.routes[model] : undefined
}

/** The text of a non-stream answer in either dialect, for token estimation and output guardrails. */
function answerText(parsed: unknown): string {
  const p = parsed as { choices?: { message?: { content?: unknown } }[]; content?: { text?: string }[] }
  const content = p.choices?.[0]?.message?.content
  if (typeof content === 'string') return content
  return Array.isArray(p.content) ? p.content.map((b) => b.text ?? '').join('') : ''
}

const sendJson = (sink: CallSink, text: string) => () => sink.json(text)

/** Reads a complete answer and prepares what the client gets; `send` delivers it once guardrails agree. */
async function completeAnswer(
  gw: GatewayContext,
  call: GatewayCall,
  sink: CallSink,
  canonical: ChatRequest,
  target: PlannedTarget,
  res: UpstreamResponse,
  plan: AnswerPlan,
): Promise<Outcome> {
  const text = await res.text().catch((err) => {
    throw readFailure(target, err)
  })
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new GatewayError('upstream', `provider '${target.provider.id}' returned a reply that is not JSON`, {
      provider: target.provider.id,
    })
  }
  const { adapter } = target.provider
  const passthrough = passthroughTo(call, target)
  if (passthrough) {
    return outcome(200, passthrough.counts((parsed as { usage?: unknown }).usage), {
      responseBody: gw.captureBodies ? text : undefined,
      outputText: () => answerText(parsed),
      send: sendJson(sink, plan.vault ? JSON.stringify(restoreDeep(parsed, plan.vault)) : text),
      // The upstream speaks the client's dialect, which its adapter reads like any other answer.
      response: plan.collect ? adapter.chatResponse(parsed, target.model) : undefined,
    })
  }
  const response = adapter.chatResponse(parsed, target.model)
  // Serialised once, for the client and for the log (which keeps the redacted form).
  const encoded = JSON.stringify(call.codec.encodeResponse(response, canonical.model))
  const forClient = plan.vault
    ? JSON.stringify(call.codec.encodeResponse(restoreDeep(response, plan.vault), canonical.model))
    : encoded
  return outcome(200, countsFromUsage(response.usage), {
    responseBody: gw.captureBodies ? encoded : undefined,
    outputText: () => response.choices[0]?.message?.content ?? '',
    send: sendJson(sink, forClient),
    response,
  })
}

/** Thrown inside a stream when an output guardrail blocks it: ends the stream with an error event. */
class BlockedStream extends Error {
  constructor(readonly hit: GuardrailHit) {
    super(hit.detail)
  }
}

/**
 * Streams the upstream answer to the client. From here on headers are sent: failures become an error
 * event in the client's dialect, never a silently truncated stream.
 */
async function streamAnswer(
  gw: GatewayContext,
  call: GatewayCall,
  sink: CallSink,
  canonical: ChatRequest,
  target: PlannedTarget,
  res: UpstreamResponse,
  t0: number,
  plan: AnswerPlan,
  event: LogEvent,
  signal: CancelSignal,
): Promise<Outcome> {
  const raw = sink.stream(call.codec.streamContentType)

  const passthrough = passthroughTo(call, target)
  const encoder = call.codec.streamEncoder(canonical.model, canonical)
  const accumulator = plan.collect ? new ResponseAccumulator() : undefined
  const translate = passthrough
    ? passthrough.stream(canonical.stream_options?.include_usage === true)
    : translatingStream(target, encoder, plan, accumulator)
  const parser = target.provider.adapter.framing === 'ndjson' && !passthrough ? createNdjsonParser() : createSseParser()
  let ttftMs: number | undefined
  // Writes made in one turn of the event loop leave in one syscall: the socket is corked on the first
  // write and uncorked after the pending I/O callbacks ran (an upstream burst usually arrives whole, so
  // headers, every event and the end of the stream go out together).
  let corked = false
  const uncork = () => {
    corked = false
    raw.uncork()
  }
  const write = (out: string) => {
    if (out === '') return true
    ttftMs ??= performance.now() - t0
    if (!corked) {
      corked = true
      raw.cork()
      setImmediate(uncork)
    }
    return raw.write(out)
  }
  const extra = (): Partial<Outcome> => ({
    ttftMs,
    // A streamed answer is logged as its assembled text, worked out now so the frames can be freed at once
    // (holding them until the row is written costs more in garbage collection than parsing them here).
    responseBody: gw.captureBodies ? { stream: true, content: translate.outputText() } : undefined,
    outputText: translate.outputText,
  })
  try {
    const { head, rest } = (res as Answered).opened ?? { head: undefined, rest: res.body }
    if (head && !write(translate.frames(parser.push(head)))) await drained(raw, signal)
    for await (const chunk of upstreamReads(rest, target)) {
      if (!write(translate.frames(parser.push(chunk as Buffer)))) await drained(raw, signal)
    }
    write(translate.frames(parser.flush()))
    const closing = translate.end()
    // The output checks that need the whole answer (a blocked pattern would have stopped it mid-way).
    const hits = translate.outputText()
      ? (translate as GuardedTranslator).watcher?.end(translate.counts()?.output)
      : undefined
    if (hits) addHits(event, hits)
    // The text is out already; a blocking check at the end still keeps the stream from ending as a success.
    const blocked = hits && blocking(hits)
    if (blocked) throw new BlockedStream(blocked)
    write(closing)
    raw.end()
    return outcome(200, translate.counts(), { ...extra(), response: accumulator?.result() })
  } catch (error) {
    if (error instanceof BlockedStream) {
      const err = guardrailError(error.hit)
      if (!event.guardrails?.includes(error.hit)) addHits(event, [error.hit])
      write(encoder.error(err))
      raw.end()
      return outcome(err.status, translate.counts(), { ...extra(), error: err.message })
    }
    // The upstream's failures all arrive as GatewayErrors: read errors and timeouts (upstreamReads), error
    // frames and cut streams (the decoders), an endless line (the parser). Anything else is our own. A
    // stream the gateway ended (shutting down) failed its read too, but the caller is told why.
    const ended = endedByGateway(signal)
    const gatewayFault = !ended && !(error instanceof GatewayError) && !(error instanceof ClientGone)
    const err = ended ?? (gatewayFault ? toGatewayError(error) : upstreamFailure(target, error))
    if (gatewayFault) sink.logError(error, 'stream relay failed')
    const aborted = raw.destroyed
    if (!aborted) {
      write(encoder.error(err))
      raw.end()
      // Ended while its caller was not reading: the error cannot reach it, and its connection would hold
      // the closing server open.
      if (ended && raw.writableNeedDrain) raw.destroy()
    }
    return outcome(aborted ? 499 : err.status, translate.counts(), {
      ...extra(),
      error: aborted ? 'aborted' : err.message,
      gatewayFault,
    })
  } finally {
    res.done()
  }
}

/**
 * `body`'s chunks, with a failed read (a dropped connection, an idle or total timeout, the call aborted)
 * turned into the upstream's GatewayError where it happens, so it cannot be mistaken for an exception in
 * the gateway's own handling of the chunks.
 */
function upstreamReads(body: AsyncIterable<Buffer>, target: PlannedTarget): AsyncIterable<Buffer> {
  return {
    [Symbol.asyncIterator]() {
      const it = body[Symbol.asyncIterator]()
      return {
        next: () =>
          it.next().catch((err) => {
            throw readFailure(target, err)
          }),
        // Leaving the loop early (a client gone, an error) must still release the upstream body.
        return: (value?: unknown) => it.return?.(value) ?? Promise.resolve({ done: true, value: undefined }),
      }
    },
  }
}

/** The client went away while the gateway waited for it to take more of the answer. */
class ClientGone extends Error {
  override name = 'ClientGone'
}

/**
 * Waits until the client has taken what was written. A client that disconnects never drains; its `close`
 * aborts the call (the transport wires that), which ends the wait with ClientGone: the call then settles
 * as aborted (499) like any other. So does the gateway ending the call (shutting down), with its reason.
 * The AbortController is made only here, when the client is slower than the upstream, not per call.
 */
async function drained(raw: ServerResponse, signal: CancelSignal): Promise<void> {
  const stop = new AbortController()
  const abort = () => stop.abort()
  if (!raw.destroyed && !signal.aborted) {
    signal.addEventListener('abort', abort)
    await once(raw, 'drain', { signal: stop.signal })
      .catch(() => undefined)
      .finally(() => signal.removeEventListener('abort', abort))
  }
  if (raw.destroyed) throw new ClientGone()
  if (signal.aborted) throw signal.reason
}

interface GuardedTranslator extends StreamTranslator {
  watcher?: ReturnType<Guardrails['outputWatcher']>
}

/**
 * Upstream frames → canonical chunks → client bytes. Along the way, when the plan asks: the chunks are
 * collected for the cache and watched by output guardrails (both in the form the upstream wrote), and
 * placeholders are restored just before encoding, so only the client ever sees the originals.
 */
function translatingStream(
  target: Target,
  encoder: ReturnType<DialectCodec<unknown>['streamEncoder']>,
  plan: AnswerPlan,
  accumulator: ResponseAccumulator | undefined,
): GuardedTranslator {
  const decoder = target.provider.adapter.chatStream(target.model)
  const restorer = plan.vault ? createChunkRestorer(plan.vault) : undefined
  const watcher = plan.guardrails?.outputWatcher()
  let usage: Usage | null | undefined
  let text = ''
  const encodeAll = (chunks: ChatChunk[]) => {
    let out = ''
    for (const c of chunks) out += encoder.chunk(c)
    return out
  }
  const encode = (chunks: ChatChunk[]) => {
    let out = ''
    for (const c of chunks) {
      if (c.usage) usage = c.usage
      accumulator?.push(c)
      const d = c.choices[0]?.delta
      if (d?.content) {
        if (text.length < KEPT_TEXT_CHARS) text += d.content
        const hit = watcher?.push(d.content)
        if (hit) throw new BlockedStream(hit)
      }
      out += restorer ? encodeAll(restorer.push(c)) : encoder.chunk(c)
    }
    return out
  }
  return {
    frames(frames) {
      let out = ''
      for (const f of frames) out += encode(decoder.push(f))
      return out
    },
    end() {
      const last = encode(decoder.end())
      return last + (restorer ? encodeAll(restorer.end()) : '') + encoder.end()
    },
    counts: () => countsFromUsage(usage),
    outputText: () => text,
    watcher,
  }
}
