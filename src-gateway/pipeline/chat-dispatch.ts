import { type OpenedStream, openStream } from '../api/early-stream-error.js'
import type { PassthroughCodec } from '../api/types.js'
import { scrubUpstreamError } from '../api/upstream-error-scrub.js'
import type { CancelSignal } from '../core/cancel.js'
import type { ChatRequest } from '../core/chat-types.js'
import { upstreamContextLength } from '../core/context-length-error.js'
import { GatewayError } from '../core/errors.js'
import type { LogEvent } from '../core/log-event.js'
import { callTimeouts, type Timeouts, transportError, type UpstreamResponse } from '../core/upstream.js'
import type { GatewayContext } from '../gateway-context.js'
import type { UpstreamRequest } from '../providers/types.js'
import type { AttemptJob } from '../routing/executor.js'
import type { PlannedTarget } from '../routing/plan.js'
import type { Target } from '../routing/resolve.js'
import type { GatewayCall } from './call.js'
import { contextHint } from './context-hint.js'

/** Chat as the executor tries it on each target: the call's request built for it, sent, its stream opened. */
export function chatJob(
  gw: GatewayContext,
  call: GatewayCall,
  canonical: ChatRequest,
  event: LogEvent,
  signal: CancelSignal,
): AttemptJob<UpstreamResponse> {
  return {
    limit: (target) => gw.policies.takeProvider(event, target.provider.id, canonical),
    build: (target) => buildRequest(gw, call, canonical, target),
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
export function upstreamFailure(target: PlannedTarget, error: unknown): GatewayError {
  return scrubUpstreamError(readFailure(target, error), target.provider.ctx)
}

/**
 * A failed read as the upstream's GatewayError, not yet scrubbed: for reads whose errors reach a catch
 * that passes every GatewayError through upstreamFailure, so the message is scrubbed once.
 */
export function readFailure(target: PlannedTarget, error: unknown, timeouts = target.timeouts): GatewayError {
  const { provider } = target
  return transportError(provider.id, new URL(provider.ctx.baseUrl).origin, error, timeouts)
}

/** A 2xx answer; a stream's first chunk has been read already (see openStream). */
export type Answered = UpstreamResponse & { opened?: OpenedStream }

/**
 * The request for one target, or the client error that keeps it from being sent (a field the target's
 * API cannot express). Anything else thrown here is the gateway's own fault and propagates as a 500.
 */
function buildRequest(
  gw: GatewayContext,
  call: GatewayCall,
  canonical: ChatRequest,
  target: Target,
): UpstreamRequest | GatewayError {
  try {
    const passthrough = passthroughTo(call, target)
    if (passthrough) return passthroughRequest(call, target, passthrough)
    const { adapter, ctx } = target.provider
    const hint = adapter.sizesContext ? contextHint(gw, call, canonical, target) : undefined
    return adapter.chatRequest(forTarget(canonical, target), target.model, ctx, hint)
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
  return upstreamContextLength(err) ?? err
}

/** The request with the route's per-target parameters and system instruction applied. */
function forTarget(req: ChatRequest, target: Target): ChatRequest {
  if (!target.params && !target.system) return req
  const out = { ...req, ...target.params }
  if (target.system) out.messages = [{ role: 'system', content: target.system }, ...req.messages]
  return out
}

/**
 * The dialect's pass-through, when this target takes the client's body as it came; else undefined. A model
 * that writes tool calls as text is always translated: its answers must be read to lift them.
 */
export function passthroughTo(call: GatewayCall, target: Target): PassthroughCodec | undefined {
  const usable =
    target.provider.adapter.passthrough === call.dialect &&
    !target.params &&
    !target.system &&
    !target.toolCallFormat &&
    call.translate !== true
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
