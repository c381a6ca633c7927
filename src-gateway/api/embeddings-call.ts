import type { FastifyReply, FastifyRequest } from 'fastify'
import type { EmbeddingsRequest, EmbeddingsResponse } from '../core/chat-types.js'
import type { GatewayContext } from '../gateway-context.js'
import { type CallKind, runCall } from '../pipeline/run-call.js'
import type { CallState, Stage } from '../pipeline/stage.js'
import { admission, redaction, routing } from '../pipeline/stages.js'
import { tryTargets } from '../routing/executor.js'
import type { PlannedTarget } from '../routing/plan.js'
import { embeddingsJob } from './embeddings-upstream.js'
import { type ChatRoute, fastifyCall } from './fastify-call.js'

/** One inbound API's embeddings format: its body → OpenAI's request shape, OpenAI's reply → its answer. */
export interface EmbeddingsCodec {
  /** Throws GatewayError('invalid_request') with `param` on bad input. */
  decode(body: unknown): EmbeddingsRequest
  encode(res: EmbeddingsResponse): unknown
}

/** The texts are decoded in the inbound API's format (after redaction: they leave the machine too). */
function decoding(codec: EmbeddingsCodec): Stage<EmbeddingsRequest> {
  return {
    name: 'decoding',
    before(s) {
      s.canonical = codec.decode(s.call.body)
    },
  }
}

/** Sends the texts with the route's strategy, retries, fallbacks and breakers, and answers in the codec's format. */
function dispatchEmbeddings(codec: EmbeddingsCodec) {
  return async (state: CallState<EmbeddingsRequest>): Promise<void> => {
    const { gw, call, sink, event, t0 } = state
    // The provider headers name whichever target answered last, failed or not.
    const answered = (target: PlannedTarget) => {
      sink.header('x-switchyard-provider', target.provider.id)
      sink.header('x-switchyard-model', target.model)
    }
    const job = embeddingsJob(gw, state.canonical!, event, call.signal, answered)
    const { target, res } = await tryTargets(gw, state.admitted!, state.plan!, event, call.signal, job)
    gw.latency.record(target.key, performance.now() - t0)
    event.status = 200
    event.inputTokens = res.usage?.prompt_tokens
    event.outputTokens = 0
    sink.json(JSON.stringify(codec.encode(res)))
  }
}

/**
 * An embeddings call's kind: redaction (placeholders cannot be restored in a vector, so they stay), its
 * codec's decoding, admission and routing; logged like every other call.
 */
function embeddingsKind(codec: EmbeddingsCodec): CallKind<EmbeddingsRequest> {
  return {
    inboundApi: 'embeddings',
    stages: [redaction, decoding(codec), admission, routing],
    logged: true,
    logsBody: false,
    dispatch: dispatchEmbeddings(codec),
  }
}

const kinds = new WeakMap<EmbeddingsCodec, CallKind<EmbeddingsRequest>>()

/** An embeddings call from a Fastify route of `dialect` (whose chat codec the call names), run by runCall. */
export function runEmbeddingsCall(
  gw: GatewayContext,
  req: FastifyRequest,
  reply: FastifyReply,
  codec: EmbeddingsCodec,
  dialect: Pick<ChatRoute, 'dialect' | 'codec'>,
): Promise<void> {
  let kind = kinds.get(codec)
  if (!kind) {
    kind = embeddingsKind(codec)
    kinds.set(codec, kind)
  }
  const body = (req.body as Record<string, unknown> | undefined) ?? {}
  const { call, sink } = fastifyCall({ ...dialect, body, req, reply })
  return runCall(gw, call, sink, kind)
}
