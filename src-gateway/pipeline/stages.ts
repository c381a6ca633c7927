import { cacheBypassed, lookupCache, serveFromCache, storeInCache } from '../api/cached-answer.js'
import { applyRouteSystem } from '../api/route-system.js'
import { planRoute } from '../routing/plan.js'
import { resolveModel } from '../routing/resolve.js'
import { admit } from './admission.js'
import { keyNameOf } from './call.js'
import { guardInput } from './guardrail-hits.js'
import type { Stage } from './stage.js'

/**
 * Redaction comes first, on the client's own body: everything after it (pass-through bodies, canonical
 * requests, cache keys, the log) only ever sees the redacted form.
 */
const redaction: Stage = {
  name: 'redaction',
  before(s) {
    const redacted = s.protect.redactor?.redactBody(s.call.body)
    if (!redacted) return
    s.call.body = redacted.body
    s.event.redactions = redacted.found
    // The log keeps what left the machine, never the originals.
    if (s.gw.captureBodies) s.event.requestBody = redacted.body
    s.vault = redacted.vault
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
const admission: Stage = {
  name: 'admission',
  before(s) {
    s.admitted = admit(s.gw, keyNameOf(s.call.identity), s.sink, s.event, s.canonical!, s.asSent)
  },
}

const inputGuardrails: Stage = {
  name: 'input guardrails',
  before(s) {
    if (s.protect.guardrails?.hasInput) guardInput(s.protect.guardrails, s.canonical!, s.event)
  },
}

/** The targets to try, in the route's order, kept to where the key and the route may send the prompt. */
const routing: Stage = {
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
      s.served = { outputText }
    })
  },
  after(s, { status, target, response }) {
    if (s.lookup && response && status === 200 && !s.event.guardrails?.some((h) => h.action !== 'log')) {
      storeInCache(s.gw.cache!, s.lookup, response, target)
    }
  },
}

/**
 * A chat call's policies, in the order they run before dispatch. Adding a policy is one stage here; what
 * the answer goes through on its way back (restoring placeholders, output guardrails) the dispatch reads
 * from the call's state.
 */
export const CHAT_STAGES: readonly Stage[] = [redaction, decoding, admission, inputGuardrails, routing, cache]
