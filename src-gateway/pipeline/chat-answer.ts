import { once } from 'node:events'
import type { Writable } from 'node:stream'
import { toGatewayError } from '../api/error-handler.js'
import { type Outcome, outcome } from '../api/outcome.js'
import {
  countsFromUsage,
  framedRelay,
  KEPT_TEXT_CHARS,
  type StreamRelay,
  type StreamTranslator,
} from '../api/stream-accounting.js'
import type { DialectCodec } from '../api/types.js'
import type { CancelSignal } from '../core/cancel.js'
import type { ChatChunk, ChatRequest, ChatResponse, Usage } from '../core/chat-types.js'
import { GatewayError } from '../core/errors.js'
import { endedByGateway } from '../core/in-flight.js'
import { createNdjsonParser, createSseParser } from '../core/sse.js'
import type { UpstreamResponse } from '../core/upstream.js'
import type { GatewayContext } from '../gateway-context.js'
import type { PlannedTarget } from '../routing/plan.js'
import type { Target } from '../routing/resolve.js'
import type { ChunkChain } from './answer-hooks.js'
import type { CallSink, GatewayCall } from './call.js'
import { type Answered, passthroughTo, readFailure, upstreamFailure } from './chat-dispatch.js'
import { type CompleteAnswer, StopAnswer } from './stage.js'
import { type ToolCallMending, toolCallMending } from './tool-call-mending.js'

/** How an answer went; a complete one carries what the stages' hooks look at before it is sent. */
export type AnswerOutcome = Outcome & { answer?: CompleteAnswer }

/** The text of a non-stream answer in either dialect, for token estimation and output guardrails. */
function answerText(parsed: unknown): string {
  const p = parsed as { choices?: { message?: { content?: unknown } }[]; content?: { text?: string }[] }
  const content = p.choices?.[0]?.message?.content
  if (typeof content === 'string') return content
  return Array.isArray(p.content) ? p.content.map((b) => b.text ?? '').join('') : ''
}

/**
 * Reads a complete answer and prepares what the client gets: `answer` is what the stages' hooks look at (and
 * may rewrite); `send` delivers it once they agree.
 */
export async function completeAnswer(
  gw: GatewayContext,
  call: GatewayCall,
  sink: CallSink,
  canonical: ChatRequest,
  target: PlannedTarget,
  res: UpstreamResponse,
): Promise<AnswerOutcome> {
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
  const mending = toolCallMending(target, canonical)
  const edits: ((body: unknown) => unknown)[] = []
  /** The client's answer: `serialised` as is, unless a hook rewrites `body` (the same answer as a value). */
  const send = (body: unknown, serialised: string) => () =>
    sink.json(edits.length === 0 ? serialised : JSON.stringify(edits.reduce((b, edit) => edit(b), body)))
  const passthrough = passthroughTo(call, target)
  if (passthrough) {
    // An OpenAI-shaped body whose tool-call arguments had to be repaired is sent as repaired.
    const sentText = mending.response(parsed) > 0 ? JSON.stringify(parsed) : text
    const counts = passthrough.counts((parsed as { usage?: unknown }).usage)
    let response: ChatResponse | undefined
    const answer: CompleteAnswer = {
      text: () => answerText(parsed),
      outputTokens: counts?.output,
      // The upstream speaks the client's dialect, which its adapter reads like any other answer.
      response: () => {
        response ??= adapter.chatResponse(parsed, target.model)
        return response
      },
      rewrite: (edit) => edits.push(edit),
    }
    const sent = outcome(200, counts, {
      responseBody: gw.captureBodies ? sentText : undefined,
      outputText: answer.text,
      send: send(parsed, sentText),
      toolCallRepairs: mending.repairs || undefined,
    })
    return { ...sent, answer }
  }
  const response = adapter.chatResponse(parsed, target.model)
  mending.response(response)
  const encoded = call.codec.encodeResponse(response, canonical.model)
  // Serialised once, for the client and for the log (which keeps it as the upstream wrote it).
  const serialised = JSON.stringify(encoded)
  const counts = countsFromUsage(response.usage)
  const answer: CompleteAnswer = {
    text: () => response.choices[0]?.message?.content ?? '',
    outputTokens: counts?.output,
    response: () => response,
    rewrite: (edit) => edits.push(edit),
  }
  const sent = outcome(200, counts, {
    responseBody: gw.captureBodies ? serialised : undefined,
    outputText: answer.text,
    send: send(encoded, serialised),
    toolCallRepairs: mending.repairs || undefined,
  })
  return { ...sent, answer }
}

/**
 * Streams the upstream answer to the client. From here on headers are sent: failures become an error
 * event in the client's dialect, never a silently truncated stream.
 */
export async function streamAnswer(
  gw: GatewayContext,
  call: GatewayCall,
  sink: CallSink,
  canonical: ChatRequest,
  target: PlannedTarget,
  res: UpstreamResponse,
  t0: number,
  /** The stages' chunk hooks; undefined when none looks at the stream. */
  hooks: ChunkChain | undefined,
  signal: CancelSignal,
): Promise<AnswerOutcome> {
  const raw = sink.stream(call.codec.streamContentType)

  const passthrough = passthroughTo(call, target)
  const encoder = call.codec.streamEncoder(canonical.model, canonical)
  const mending = passthrough ? undefined : toolCallMending(target, canonical)
  const relay: StreamRelay = mending
    ? framedRelay(
        target.provider.adapter.framing === 'ndjson' ? createNdjsonParser() : createSseParser(),
        translatingStream(target, encoder, hooks, mending),
      )
    : passthrough!.stream(canonical.stream_options?.include_usage === true)
  let ttftMs: number | undefined
  // Writes made in one turn of the event loop leave in one syscall: the socket is corked on the first
  // write and uncorked after the pending I/O callbacks ran (an upstream burst usually arrives whole, so
  // headers, every event and the end of the stream go out together).
  let corked = false
  const uncork = () => {
    corked = false
    raw.uncork()
  }
  const write = (out: string | Buffer[]) => {
    if (out.length === 0) return true
    ttftMs ??= performance.now() - t0
    if (!corked) {
      corked = true
      raw.cork()
      setImmediate(uncork)
    }
    if (typeof out === 'string') return raw.write(out)
    let room = true
    for (const b of out) room = raw.write(b)
    return room
  }
  const extra = (): Partial<Outcome> => ({
    ttftMs,
    // A streamed answer is logged as its assembled text, worked out now so the frames can be freed at once
    // (holding them until the row is written costs more in garbage collection than parsing them here).
    responseBody: gw.captureBodies ? { stream: true, content: relay.outputText() } : undefined,
    outputText: relay.outputText,
    toolCallRepairs: mending?.repairs || undefined,
  })
  try {
    const { head, rest } = (res as Answered).opened ?? { head: undefined, rest: res.body }
    if (head && !write(relay.push(head))) await drained(raw, signal)
    for await (const chunk of upstreamReads(rest, target)) {
      if (!write(relay.push(chunk as Buffer))) await drained(raw, signal)
    }
    write(relay.flush())
    // Closing bytes are written only once every hook has agreed to the end (or a hook fails the stream).
    write(relay.end())
    raw.end()
    return outcome(200, relay.counts(), extra())
  } catch (error) {
    if (error instanceof StopAnswer) {
      write(encoder.error(error.error))
      raw.end()
      return outcome(error.error.status, relay.counts(), { ...extra(), error: error.message })
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
    return outcome(aborted ? 499 : err.status, relay.counts(), {
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
async function drained(raw: Writable, signal: CancelSignal): Promise<void> {
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

/**
 * Upstream frames → canonical chunks → client bytes. Usage and the answer's text are read as the upstream
 * wrote them; then the stages' hooks (when a stage asked) see each chunk just before it is encoded.
 */
function translatingStream(
  target: Target,
  encoder: ReturnType<DialectCodec<unknown>['streamEncoder']>,
  hooks: ChunkChain | undefined,
  mending: ToolCallMending,
): StreamTranslator {
  const decoder = mending.stream(target.provider.adapter.chatStream(target.model))
  let usage: Usage | null | undefined
  let text = ''
  const encodeAll = (chunks: ChatChunk | ChatChunk[]) => {
    if (!Array.isArray(chunks)) return encoder.chunk(chunks)
    let out = ''
    for (const c of chunks) out += encoder.chunk(c)
    return out
  }
  const encode = (chunks: ChatChunk[]) => {
    let out = ''
    for (const c of chunks) {
      if (c.usage) usage = c.usage
      const d = c.choices[0]?.delta
      if (d?.content && text.length < KEPT_TEXT_CHARS) text += d.content
      out += hooks ? encodeAll(hooks.push(c)) : encoder.chunk(c)
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
      return last + (hooks ? encodeAll(hooks.end()) : '') + encoder.end()
    },
    counts: () => countsFromUsage(usage),
    outputText: () => text,
  }
}
