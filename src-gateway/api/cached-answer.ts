import { randomUUID } from 'node:crypto'
import type { CancelSignal } from '../core/cancel.js'
import type { ChatRequest, ChatResponse } from '../core/chat-types.js'
import type { GatewayContext } from '../gateway-context.js'
import type { CallSink, GatewayCall } from '../pipeline/call.js'
import {
  type CacheHit,
  type CacheKeys,
  type CacheSettings,
  cacheKeys,
  type ResponseCache,
  replayChunks,
} from '../policies/cache/index.js'
import { restoreDeep, type Vault } from '../policies/redaction/index.js'
import type { PriceBook } from '../pricing/price-book.js'
import type { Target } from '../routing/resolve.js'
import { embedText } from './embed-text.js'
import { type Outcome, outcome } from './outcome.js'
import { countsFromUsage } from './stream-accounting.js'

/** What a cache lookup found, and what a miss needs to store its answer under. */
export interface CacheLookup {
  keys: CacheKeys
  settings: CacheSettings
  /** The last user message's embedding (semantic mode), kept for storing the answer of a miss. */
  vector?: Float32Array
  hit?: CacheHit
  /** Prices a miss's answer when it is stored, so each later hit adds what it saved to the cache's counter. */
  priceBook?: PriceBook
}

/** `Cache-Control: no-cache` / `no-store` or `x-switchyard-cache: bypass`: the call neither reads nor fills the cache. */
export function cacheBypassed(headers: GatewayCall['headers']): boolean {
  const control = headers['cache-control']
  return (
    headers['x-switchyard-cache'] === 'bypass' || (typeof control === 'string' && /no-(cache|store)/i.test(control))
  )
}

/** Exact match first; in semantic mode, then the nearest earlier question of the same conversation shape. */
export async function lookupCache(
  gw: GatewayContext,
  cache: ResponseCache,
  settings: CacheSettings,
  canonical: ChatRequest,
  signal: CancelSignal,
): Promise<CacheLookup> {
  const keys = cacheKeys(canonical)
  const { priceBook } = gw
  const final = settings.mode !== 'semantic' || !settings.semantic || keys.semanticText === ''
  // A Promise only when the entries are shared through Redis.
  const found = cache.lookup(keys.exact, final)
  const exact = found instanceof Promise ? await found : found
  if (exact || final || !settings.semantic) return { keys, settings, hit: exact, priceBook }
  // The embedding model being down must not fail the call: it is a miss, served (and stored) without a vector.
  const vector = await embedText(gw, settings.semantic.embeddingModel, keys.semanticText, signal).catch(() => undefined)
  const near = vector && cache.getSemantic(keys.namespace, vector, settings.semantic.threshold ?? 0.95)
  const hit = near instanceof Promise ? await near : near
  if (!hit) cache.recordMiss()
  return { keys, settings, vector, hit: hit || undefined, priceBook }
}

/** What an answer cost at its provider's price; undefined when unpriced. Never throws: storing must not fail the call. */
function answerCost(priceBook: PriceBook | undefined, response: ChatResponse, target: Target): number | undefined {
  const u = response.usage
  if (!priceBook || !u) return undefined
  try {
    const usage = {
      input: u.prompt_tokens,
      output: u.completion_tokens,
      cached: u.prompt_tokens_details?.cached_tokens,
    }
    return priceBook.cost({ providerId: target.provider.id, model: target.model, usage, at: Date.now() }) ?? undefined
  } catch {
    return undefined
  }
}

export function storeInCache(cache: ResponseCache, lookup: CacheLookup, response: ChatResponse, target: Target): void {
  // Only whole answers: a cut-off or filtered one would be replayed as if it were complete.
  const finish = response.choices[0]?.finish_reason
  if (finish !== 'stop' && finish !== 'tool_calls' && finish !== 'length') return
  cache.put({
    key: lookup.keys.exact,
    namespace: lookup.keys.namespace,
    vector: lookup.vector,
    response,
    provider: target.provider.id,
    model: target.model,
    ttlSeconds: lookup.settings.ttlSeconds,
    costUsd: answerCost(lookup.priceBook, response, target),
  })
}

/**
 * Answers from the cache in the caller's own format: a JSON body, or a stream replayed through the
 * dialect's encoder. The stored answer holds placeholders, never originals; this call's are put back.
 */
export function serveFromCache(
  call: GatewayCall,
  sink: CallSink,
  canonical: ChatRequest,
  hit: CacheHit,
  vault: Vault | undefined,
  t0: number,
): Outcome {
  const stored: ChatResponse = {
    ...hit.response,
    id: `chatcmpl-${randomUUID()}`,
    created: Math.floor(Date.now() / 1000),
  }
  const forClient = vault ? restoreDeep(stored, vault) : stored
  sink.header('x-switchyard-cache', 'hit')
  sink.header('x-switchyard-provider', hit.provider)
  sink.header('x-switchyard-model', hit.model)
  sink.header('x-switchyard-attempts', '0')
  const served = {
    provider: hit.provider,
    model: hit.model,
    isCacheHit: true,
    outputText: () => stored.choices[0]?.message.content ?? '',
  }
  const counts = countsFromUsage(stored.usage)
  if (canonical.stream !== true) {
    const encoded = JSON.stringify(call.codec.encodeResponse(forClient, canonical.model))
    sink.json(encoded)
    return outcome(200, counts, { ...served, ttftMs: performance.now() - t0 })
  }
  const raw = sink.stream(call.codec.streamContentType)
  const encoder = call.codec.streamEncoder(canonical.model, canonical)
  let out = ''
  for (const c of replayChunks(forClient)) out += encoder.chunk(c)
  raw.end(out + encoder.end())
  return outcome(200, counts, { ...served, ttftMs: performance.now() - t0 })
}
