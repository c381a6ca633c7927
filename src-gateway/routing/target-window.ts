// A target's context window, from the most specific source that states it: the route's config, the
// provider's listing (vLLM, Groq, OpenRouter, Gemini list one), the server itself asked per model
// (Ollama, llama.cpp, LM Studio, which do not list one), the bundled prices.

import type { RouteConfig } from '../config/schema.js'
import type { PriceBook } from '../pricing/price-book.js'
import type { ModelCatalog } from './catalog.js'
import type { RuntimeProvider } from './providers.js'
import { type ResolverDeps, resolveDirect } from './resolve.js'

export interface WindowDeps {
  catalog: ModelCatalog
  priceBook?: PriceBook
}

export interface WindowTarget {
  provider: RuntimeProvider
  model: string
  /** From the route's config: it wins over anything a server says. */
  contextWindow?: number
}

/**
 * The window, asking the server on the model's first use: a promise only then, so a call to a model
 * whose window is known pays no await. Undefined when nothing states one. `priced: false` leaves out the
 * price table's, which is a model's usual window rather than what this upstream grants (Anthropic's
 * 1M-token beta runs models the table gives 200k).
 */
export function targetWindow(
  t: WindowTarget,
  deps: WindowDeps,
  { priced = true } = {},
): number | undefined | Promise<number | undefined> {
  const listed = t.contextWindow ?? deps.catalog.listedWindow(t.provider, t.model)
  if (listed !== undefined) return listed
  const stated = deps.catalog.windows.lookup(t.provider, t.model)
  if (!priced) return stated
  if (stated instanceof Promise) return stated.then((w) => w ?? pricedWindow(t, deps))
  return stated ?? pricedWindow(t, deps)
}

/** The window known now, without asking any server (for listings, which must not wait on every model). */
export function knownWindow(t: WindowTarget, deps: WindowDeps): number | undefined {
  return (
    t.contextWindow ??
    deps.catalog.listedWindow(t.provider, t.model) ??
    deps.catalog.windows.known(t.provider, t.model) ??
    pricedWindow(t, deps)
  )
}

function pricedWindow(t: WindowTarget, deps: WindowDeps): number | undefined {
  return deps.priceBook?.contextWindow(t.model, t.provider.id)
}

/**
 * The largest prompt a route takes, as far as it is known now: a prompt goes to any target (or the
 * long-context model) whose window fits it, so the largest window counts. Unknown when any is unknown.
 */
export function routeWindow(route: RouteConfig, deps: WindowDeps & ResolverDeps): number | undefined {
  const models = route.targets.map((t) => ({ model: t.model, contextWindow: t.contextWindow }))
  if (route.longContext) models.push({ model: route.longContext.model, contextWindow: undefined })
  let largest = 0
  for (const m of models) {
    const target = { ...resolveDirect(m.model, deps), contextWindow: m.contextWindow }
    const w = knownWindow(target, deps)
    if (w === undefined) return undefined
    largest = Math.max(largest, w)
  }
  return largest
}
