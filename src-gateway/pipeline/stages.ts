import { cacheBypassed, lookupCache, serveFromCache, storeInCache } from '../api/cached-answer.js'
import { createChunkRestorer } from '../api/restoring-chunks.js'
import { applyRouteSystem } from '../api/route-system.js'
import type { ChatResponse, Usage } from '../core/chat-types.js'
import { ResponseAccumulator } from '../policies/cache/index.js'
import { blocking, type OutputWatcher } from '../policies/guardrails/index.js'
import { restoreDeep } from '../policies/redaction/index.js'
import { POLICY_STAGES } from '../policies/registry.js'
import { planRoute } from '../routing/plan.js'
import { resolveModel } from '../routing/resolve.js'
import { admit } from './admission.js'
import { keyNameOf } from './call.js'
import { addHits, guardInput, guardrailError, isSchemaFailure } from './guardrail-hits.js'
import { type CallRequest, type Stage, StopAnswer } from './stage.js'

/**
 * Redaction comes first, on the client's own body: everything after it (pass-through bodies, canonical
 * requests, cache keys, the log) only ever sees the redacted form. Being first, it is also the last to see
 * the answer: it puts the originals back just before the client gets it.
 */
export const redaction: Stage<CallRequest> = {
  name: 'redaction',
  before(s) {
    const redacted = s.protect.redactor?.redactBody(s.call.body)
    if (!redacted) return
    s.call.body = redacted.body
    s.event.redactions = redacted.found
    // The log keeps what left the machine, never the originals (when it keeps this kind of call's body).
    if (s.event.requestBody !== undefined) s.event.requestBody = redacted.body
    s.vault = redacted.vault
  },
  answer(s) {
    const vault = s.vault
    if (!vault) return undefined
    // A placeholder can be split across chunks: the restorer holds fragments until they can be told apart.
    let restorer: ReturnType<typeof createChunkRestorer> | undefined
    return {
      onChunk(c) {
        restorer ??= createChunkRestorer(vault)
        const out = restorer.push(c)
        return out.length === 1 ? out[0] : out
      },
      onStreamEnd: () => restorer?.end(),
      onComplete(answer) {
        answer.rewrite((body) => restoreDeep(body, vault))
        return undefined
      },
    }
  },
}

/** Decoding validates the request, so it happens even when the call ends up as pass-through. */
const decoding: Stage = {
  name: 'decoding',
  before(s) {
    const canonical = s.call.codec.decodeRequest(s.call.body)
    // The route a client names, if config has one by that exact name (never an Object.prototype member).
    const route = Object.hasOwn(s.gw.routes, canonical.model) ? s.gw.routes[canonical.model] : undefined
    s.canonical = applyRouteSystem(route, s.call, canonical)
  },
}

/** The key's model allow-list, budget and rate limits (403/429); only an admitted call is ever sent. */
export const admission: Stage<CallRequest> = {
  name: 'admission',
  before(s) {
    const admitted = admit(s.gw, keyNameOf(s.call.identity), s.sink, s.event, s.canonical!, s.asSent)
    // Awaited only when it went to Redis: a gateway without shared state pays no extra await.
    if (admitted instanceof Promise) {
      return admitted.then((a) => {
        s.admitted = a
      })
    }
    s.admitted = admitted
  },
}

/**
 * The route's guardrails: input checks before dispatch; output checks on the answer as the upstream wrote
 * it (blocked patterns stop a stream as soon as they match; a reply failing its JSON schema is asked for
 * again, as often as the guardrail allows).
 */
const guardrails: Stage = {
  name: 'guardrails',
  before(s) {
    if (s.protect.guardrails?.hasInput) guardInput(s.protect.guardrails, s.canonical!, s.event)
  },
  answer(s) {
    const g = s.protect.guardrails
    if (!g?.hasOutput) return undefined
    const { event } = s
    let watcher: OutputWatcher | undefined
    let usage: Usage | undefined
    let sawText = false
    let schemaRetries = 0
    return {
      onChunk(c) {
        watcher ??= g.outputWatcher()
        if (c.usage) usage = c.usage
        const text = c.choices[0]?.delta?.content
        if (text) {
          sawText = true
          const hit = watcher.push(text)
          if (hit) {
            addHits(event, [hit])
            throw new StopAnswer(guardrailError(hit))
          }
        }
        return c
      },
      onStreamEnd() {
        // The checks that need the whole answer. The text is out already; a blocking hit still keeps the
        // stream from ending as a success.
        if (!sawText || !watcher) return undefined
        const hits = watcher.end(usage?.completion_tokens)
        addHits(event, hits)
        const blocked = blocking(hits)
        if (blocked) throw new StopAnswer(guardrailError(blocked))
        return undefined
      },
      onComplete(answer) {
        // An answer made only of tool calls has no text for output checks to judge.
        const text = answer.text()
        const hits = (text && g.checkOutput(text, answer.outputTokens)) || []
        addHits(event, hits)
        if (hits.some(isSchemaFailure) && schemaRetries < g.schemaRetries) {
          schemaRetries++
          return 'retry'
        }
        const blocked = blocking(hits)
        if (blocked) throw guardrailError(blocked)
        return undefined
      },
    }
  },
}

/** The targets to try, in the route's order, kept to where the key and the route may send the prompt. */
export const routing: Stage<CallRequest> = {
  name: 'routing',
  async before(s) {
    const { admission } = s.admitted!
    s.plan = await planRoute(s.gw, await resolveModel(admission.model, s.gw), s.canonical!, admission.filterTargets)
    s.event.route = s.plan.route
  },
}

/** Answers from the cache when it can; otherwise keeps the answer for the next call that asks the same. */
const cache: Stage = {
  name: 'cache',
  // Not async itself: a call without a cache must not pay for an extra await.
  before(s) {
    const settings = s.protect.cache
    if (!settings || !s.gw.cache) return
    if (cacheBypassed(s.call.headers)) {
      s.sink.header('x-switchyard-cache', 'bypass')
      return
    }
    return lookupCache(s.gw, s.gw.cache, settings, s.canonical!, s.call.signal).then((lookup) => {
      s.lookup = lookup
      if (!lookup.hit) {
        s.sink.header('x-switchyard-cache', 'miss')
        return
      }
      const { outputText, ...served } = serveFromCache(s.call, s.sink, s.canonical!, lookup.hit, s.vault, s.t0)
      Object.assign(s.event, served)
      s.outputText = outputText
      s.served = true
    })
  },
  answer(s) {
    const { lookup } = s
    if (!lookup) return undefined
    // Collected as the upstream wrote it (placeholders, never originals), before anything else touches it.
    let accumulator: ResponseAccumulator | undefined
    let response: ChatResponse | undefined
    return {
      onChunk(c) {
        accumulator ??= new ResponseAccumulator()
        accumulator.push(c)
        return c
      },
      onComplete(answer) {
        response = answer.response()
        return undefined
      },
      onDelivered(target) {
        const whole = response ?? accumulator?.result()
        if (whole && !s.event.guardrails?.some((h) => h.action !== 'log')) {
          storeInCache(s.gw.cache!, lookup, whole, target)
        }
      },
    }
  },
}

/**
 * A chat call's policies, in the order they run before dispatch (their answer hooks run in reverse order).
 * Embeddings and count_tokens list the ones that apply to them beside their own dispatch (api/embeddings-call.ts,
 * api/anthropic/count-tokens.ts).
 */
export const CHAT_STAGES: readonly Stage[] = [
  redaction,
  decoding,
  admission,
  guardrails,
  routing,
  cache,
  // Registered policies (policies/registry.ts): a new one is its folder plus a line there.
  ...POLICY_STAGES,
]
