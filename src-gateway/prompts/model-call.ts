import { toGatewayError } from '../api/error-handler.js'
import { openaiCodec } from '../api/openai/codec.js'
import { CallAbort } from '../core/cancel.js'
import type { GatewayError } from '../core/errors.js'
import { requestIdFactory } from '../core/request-id.js'
import { createSseParser } from '../core/sse.js'
import type { GatewayContext } from '../gateway-context.js'
import type { CallerIdentity, GatewayCall } from '../pipeline/call.js'
import { executeCall } from '../pipeline/execute-call.js'
import { type AnswerReader, InProcessSink } from '../pipeline/in-process-sink.js'
import { preparePromptRun } from './prompt-run.js'
import type { PromptStore } from './prompt-store.js'

/** One model call made by a comparison, as its cell records it. */
export interface CallResult {
  status: 'done' | 'error' | 'cancelled'
  output: string
  error?: string
  requestId: string | null
  provider: string | null
  model: string | null
  latencyMs: number
  ttftMs: number | null
  inputTokens: number | null
  outputTokens: number | null
  costUsd: number | null
}

/** What the gateway's own model calls run on. */
export interface ModelCallDeps {
  gw: GatewayContext
  /** The prompt library, for prompt runs. */
  prompts: PromptStore
  /** Why model calls are refused right now (the gateway is paused), if they are. */
  refusal(): GatewayError | undefined
  /** Reports an exception that is the gateway's own fault. */
  logError(err: unknown, message: string): void
}

export interface CallOptions {
  /** Who the call is for: a comparison's or a replay's calls are the gateway's own, on the admin's behalf. */
  identity: CallerIdentity
  /** A stored prompt to run, `body` being its run body (variables, version): its log row names the version. */
  prompt?: string
  /** A chat completion body (OpenAI), or a prompt's run body. */
  body: Record<string, unknown>
  signal?: AbortSignal
  onDelta?: (text: string) => void
}

interface StreamChunk {
  choices?: { delta?: { content?: string | null } }[]
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null
  error?: { message?: string }
}

interface CompleteAnswer {
  choices?: { message?: { content?: string | null } }[]
  usage?: StreamChunk['usage']
}

const nextRequestId = requestIdFactory()

/**
 * Calls a model through the gateway's pipeline directly (executeCall, no HTTP), so comparisons take the
 * path clients take: routing, fallbacks, policies, logging and cost; `identity` says whose call it is.
 * Always streams, for TTFT.
 */
export async function callThroughGateway(deps: ModelCallDeps, opts: CallOptions): Promise<CallResult> {
  const t0 = performance.now()
  const result: CallResult = {
    status: 'done',
    output: '',
    requestId: null,
    provider: null,
    model: null,
    latencyMs: 0,
    ttftMs: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
  }
  const finish = (status: CallResult['status'], error?: string): CallResult => {
    result.latencyMs = performance.now() - t0
    result.status = status
    if (error !== undefined) result.error = error
    return result
  }
  if (opts.signal?.aborted) return finish('cancelled', 'cancelled')
  const refused = deps.refusal()
  if (refused) return finish('error', refused.message)

  const body = { ...opts.body, stream: true, stream_options: { include_usage: true } }
  let gw = deps.gw
  let request: Record<string, unknown> = body
  if (opts.prompt !== undefined) {
    try {
      // A split label's sticky arm is picked per identity (a comparison pins its versions anyway).
      const run = await preparePromptRun(deps.gw, deps.prompts, opts.prompt, body, () => JSON.stringify(opts.identity))
      gw = run.gw
      request = run.body
    } catch (err) {
      return finish('error', toGatewayError(err).message)
    }
  }

  let failure: string | undefined
  const text = (piece: string | null | undefined) => {
    if (!piece) return
    result.ttftMs ??= performance.now() - t0
    result.output += piece
    opts.onDelta?.(piece)
  }
  const usage = (u: StreamChunk['usage']) => {
    if (!u) return
    result.inputTokens = u.prompt_tokens ?? null
    result.outputTokens = u.completion_tokens ?? null
  }
  const parser = createSseParser()
  const reader: AnswerReader = {
    json(answer) {
      try {
        const parsed = JSON.parse(answer) as CompleteAnswer
        text(parsed.choices?.[0]?.message?.content)
        usage(parsed.usage)
      } catch (err) {
        failure = (err as Error).message
      }
    },
    chunk(data) {
      if (failure !== undefined) return
      try {
        for (const frame of parser.push(data)) {
          if (frame.data === '[DONE]') continue
          const c = JSON.parse(frame.data) as StreamChunk
          if (c.error) {
            failure = c.error.message ?? 'the stream failed'
            return
          }
          text(c.choices?.[0]?.delta?.content)
          usage(c.usage)
        }
      } catch (err) {
        // An answer this reader cannot follow: stop reading, as a client that gave up would.
        failure = (err as Error).message
        cancel()
      }
    },
    error(err) {
      failure = err.message
    },
  }
  const sink = new InProcessSink(reader, deps.logError)
  const signal = new CallAbort()
  // Like a client that hangs up: the stream stops (the call is logged as aborted) and the upstream call with it.
  const cancel = () => {
    sink.close()
    signal.abort()
  }
  opts.signal?.addEventListener('abort', cancel, { once: true })
  const call: GatewayCall = {
    requestId: nextRequestId(),
    identity: opts.identity,
    dialect: 'openai',
    codec: openaiCodec,
    body: request,
    headers: {},
    signal,
  }
  result.requestId = call.requestId
  try {
    await executeCall(gw, call, sink)
  } finally {
    opts.signal?.removeEventListener('abort', cancel)
  }
  result.provider = sink.headers.get('x-switchyard-provider') ?? null
  result.model = sink.headers.get('x-switchyard-model') ?? null
  if (opts.signal?.aborted) return finish('cancelled', 'cancelled')
  return failure === undefined ? finish('done') : finish('error', failure)
}
