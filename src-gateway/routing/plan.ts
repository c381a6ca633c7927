import type { RouteConfig } from '../config/schema.js'
import type { ChatRequest, EmbeddingsRequest } from '../core/chat-types.js'
import { ContextLengthError } from '../core/context-length-error.js'
import { ownValue } from '../core/json-values.js'
import { type Timeouts, withTimeouts } from '../core/upstream.js'
import type { PriceBook } from '../pricing/price-book.js'
import type { BreakerRegistry, CircuitBreaker } from './breaker.js'
import type { ModelCatalog } from './catalog.js'
import type { LatencyTracker } from './latency.js'
import { promptChars, promptTokens } from './prompt-size.js'
import type { RuntimeProvider } from './providers.js'
import { isKnownModel, OTHER_MODEL, type Resolution, resolveDirect, type Target } from './resolve.js'
import { DEFAULT_RETRY, type RetryBudget, type RetryPolicy } from './retry.js'
import { targetWindow } from './target-window.js'

// The prompt's character count is read by the rate limits and the input guardrails too.
export { promptChars }

export interface PlannedTarget extends Target {
  /** `provider/model` (model `other` when not known, see OTHER_MODEL): the key of its breaker and latency samples. */
  key: string
  timeouts: Timeouts
  breaker: CircuitBreaker
}

export interface RoutePlan {
  route?: string
  targets: PlannedTarget[]
  retry: RetryPolicy
  budget: RetryBudget
  /** Statuses (besides 408, 429, 5xx and transport errors) that move on to the next target. */
  fallbackOn: ReadonlySet<number>
}

export interface PlanDeps {
  routes: Record<string, RouteConfig>
  providers: Map<string, RuntimeProvider>
  catalog: ModelCatalog
  breakers: BreakerRegistry
  latency: LatencyTracker
  priceBook?: PriceBook
  budgetFor(key: string, ratio: number): RetryBudget
  random: () => number
}

const NO_EXTRA_FALLBACK: ReadonlySet<number> = new Set()

/**
 * Turns a resolved model into the ordered list of targets to try: the route's strategy decides the
 * order, long prompts go to the long-context target, and targets whose context window is too small
 * are left out.
 */
export async function planRoute(
  deps: PlanDeps,
  resolution: Resolution,
  /** A chat request's prompt decides which context windows fit; an embeddings request skips that. */
  req: ChatRequest | EmbeddingsRequest,
  /** A caller's restriction (data residency), applied last so the long-context target is covered too. */
  filter?: (targets: Target[], model: string) => Target[],
): Promise<RoutePlan> {
  const route = resolution.route ? ownValue(deps.routes, resolution.route) : undefined
  let targets = resolution.targets
  if (route && targets.length > 1) targets = order(route.strategy ?? 'fallback', targets, deps)
  if ('messages' in req) {
    const fitted = fitContext(targets, route, req, deps)
    targets = fitted instanceof Promise ? await fitted : fitted
  }
  if (filter) targets = filter(targets, req.model)
  const retry = { ...DEFAULT_RETRY, ...route?.retries }
  // Only a route's targets come back as the same objects; direct ones are new each call.
  const inOrder = targets.map((t) => (route ? plannedOnce(t, route, deps) : planned(t, undefined, deps)))
  return {
    route: resolution.route,
    targets: inOrder,
    retry,
    budget: deps.budgetFor(resolution.route ?? inOrder[0].key, retry.budgetRatio),
    fallbackOn: route?.fallbackOn ? new Set(route.fallbackOn) : NO_EXTRA_FALLBACK,
  }
}

/**
 * Route targets are the same objects from call to call (resolve.ts keeps them per route), and a target
 * always belongs to the same route, so each one's planned form is built once per breaker registry.
 */
const plannedTargets = new WeakMap<Target, { breakers: BreakerRegistry; planned: PlannedTarget }>()

function plannedOnce(t: Target, route: RouteConfig, deps: PlanDeps): PlannedTarget {
  const known = plannedTargets.get(t)
  if (known?.breakers === deps.breakers) return known.planned
  const p = planned(t, route, deps)
  plannedTargets.set(t, { breakers: deps.breakers, planned: p })
  return p
}

function planned(t: Target, route: RouteConfig | undefined, deps: PlanDeps): PlannedTarget {
  const model = isKnownModel(deps, t.provider.id, t.model) ? t.model : OTHER_MODEL
  return {
    ...t,
    key: `${t.provider.id}/${model}`,
    timeouts: withTimeouts(t.provider.timeouts, route?.timeouts),
    breaker: deps.breakers.for(t.provider.id, model),
  }
}

type Strategy = NonNullable<RouteConfig['strategy']>

function order(strategy: Strategy, targets: Target[], deps: PlanDeps): Target[] {
  switch (strategy) {
    case 'fallback':
      return targets
    case 'weighted':
      return weightedOrder(targets, deps.random)
    case 'least-latency':
      // Unmeasured targets count as fastest, so each gets tried and measured.
      return stableSort(targets, (t) => deps.latency.mean(`${t.provider.id}/${t.model}`) ?? 0)
    case 'cheapest':
      return stableSort(targets, (t) => {
        const p = deps.priceBook?.describe(t.model, t.provider.id)
        return p ? p.inputPerMtokUsd + p.outputPerMtokUsd : Number.POSITIVE_INFINITY
      })
  }
}

function stableSort(targets: Target[], score: (t: Target) => number): Target[] {
  return targets
    .map((t, i) => ({ t, i, s: score(t) }))
    .sort((a, b) => a.s - b.s || a.i - b.i)
    .map((x) => x.t)
}

/** Draws targets without replacement, each with probability proportional to its weight. */
export function weightedOrder(targets: Target[], random: () => number): Target[] {
  const pool = targets.map((t) => ({ t, w: t.weight ?? 1 }))
  const out: Target[] = []
  while (pool.length > 0) {
    const total = pool.reduce((sum, p) => sum + p.w, 0)
    let r = random() * total
    let i = 0
    while (i < pool.length - 1 && r >= pool[i].w) r -= pool[i++].w
    out.push(pool[i].t)
    pool.splice(i, 1)
  }
  return out
}

/**
 * Keeps the targets whose window takes the prompt, and puts the long-context target first for a long
 * one. Characters settle most calls (one token per character fits everywhere); only the rest are
 * tokenized. A prompt no target takes is the caller's "too long" error, so an agent compacts its history
 * instead of having it cut silently. Synchronous unless a server must first be asked its window.
 */
function fitContext(
  targets: Target[],
  route: RouteConfig | undefined,
  req: ChatRequest,
  deps: PlanDeps,
): Target[] | Promise<Target[]> {
  // With nowhere else to go, a prompt is refused only by a window config or the server states: the upstream
  // knows its own better than the price table does, and answers a prompt too long for it itself.
  const priced = targets.length > 1 || route?.longContext !== undefined
  const windows = targets.map((t) => targetWindow(t, deps, { priced }))
  if (windows.some((w) => w instanceof Promise)) {
    return Promise.all(windows).then((known) => fitWindows(targets, known, route, req, deps))
  }
  return fitWindows(targets, windows as (number | undefined)[], route, req, deps)
}

function fitWindows(
  targets: Target[],
  windows: (number | undefined)[],
  route: RouteConfig | undefined,
  req: ChatRequest,
  deps: PlanDeps,
): Target[] | Promise<Target[]> {
  const smallest = Math.min(...windows.map((w) => w ?? Number.POSITIVE_INFINITY))
  const threshold = route?.longContext?.thresholdTokens ?? Number.POSITIVE_INFINITY
  if (smallest === Number.POSITIVE_INFINITY && threshold === Number.POSITIVE_INFINITY) return targets
  const chars = promptChars(req)
  if (chars < smallest && chars <= threshold) return targets
  return promptTokens(req).then((tokens) => {
    let out = targets.filter((_, i) => windows[i] === undefined || windows[i]! >= tokens)
    if (route?.longContext && tokens > threshold) {
      const long = { ...resolveDirect(route.longContext.model, deps) }
      out = [long, ...out.filter((t) => t.provider !== long.provider || t.model !== long.model)]
    }
    if (out.length === 0) throw new ContextLengthError(tokens, Math.max(...windows.map((w) => w ?? 0)))
    return out
  })
}
