import type { FastifyInstance } from 'fastify'
import { createSseParser } from '../core/sse.js'

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

export interface CallOptions {
  /** `/v1/chat/completions`, or `/v1/prompts/{name}/run` so the log row names the prompt version. */
  path: string
  body: Record<string, unknown>
  signal?: AbortSignal
  onDelta?: (text: string) => void
}

interface StreamChunk {
  choices?: { delta?: { content?: string | null } }[]
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null
  error?: { message?: string }
}

/**
 * Calls a model through the gateway's own HTTP surface (in-process, no socket), so comparisons take
 * exactly the path clients take: routing, fallbacks, logging and cost. Always streams, for TTFT.
 */
export async function callThroughGateway(app: FastifyInstance, opts: CallOptions): Promise<CallResult> {
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
  const res = await app.inject({
    method: 'POST',
    url: opts.path,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ ...opts.body, stream: true, stream_options: { include_usage: true } }),
    payloadAsStream: true,
  })
  const header = (name: string) => {
    const v = res.headers[name]
    return typeof v === 'string' ? v : null
  }
  result.requestId = header('x-request-id')
  result.provider = header('x-switchyard-provider')
  result.model = header('x-switchyard-model')
  // Closing the response is what a client disconnect looks like: the pipeline aborts the upstream call.
  const cancel = () => res.raw.res.destroy()
  opts.signal?.addEventListener('abort', cancel, { once: true })
  try {
    const body = res.stream()
    if (res.statusCode >= 400) {
      let text = ''
      for await (const c of body) text += c
      return finish('error', errorMessage(text, res.statusCode))
    }
    const parser = createSseParser()
    for await (const chunk of body) {
      for (const frame of parser.push(chunk as Buffer)) {
        if (frame.data === '[DONE]') continue
        const c = JSON.parse(frame.data) as StreamChunk
        if (c.error) return finish('error', c.error.message ?? 'the stream failed')
        const text = c.choices?.[0]?.delta?.content
        if (text) {
          result.ttftMs ??= performance.now() - t0
          result.output += text
          opts.onDelta?.(text)
        }
        if (c.usage) {
          result.inputTokens = c.usage.prompt_tokens ?? null
          result.outputTokens = c.usage.completion_tokens ?? null
        }
      }
    }
    return finish(opts.signal?.aborted ? 'cancelled' : 'done', opts.signal?.aborted ? 'cancelled' : undefined)
  } catch (err) {
    return opts.signal?.aborted ? finish('cancelled', 'cancelled') : finish('error', (err as Error).message)
  } finally {
    opts.signal?.removeEventListener('abort', cancel)
  }
}

function errorMessage(text: string, status: number): string {
  try {
    return (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? `HTTP ${status}`
  } catch {
    return text.slice(0, 500) || `HTTP ${status}`
  }
}
