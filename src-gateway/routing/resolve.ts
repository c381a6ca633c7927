import type { RouteConfig } from '../config/schema.js'
import { GatewayError } from '../core/errors.js'
import { ownValue } from '../core/json-values.js'
import type { ToolCallFormat } from '../core/tool-calls/text-calls.js'
import type { ModelCatalog } from './catalog.js'
import type { RuntimeProvider } from './providers.js'

/** One concrete place a request can go: a provider and the model name that provider understands. */
export interface Target {
  provider: RuntimeProvider
  model: string
  /** Request parameters the route forces for this target. */
  params?: Record<string, unknown>
  /** A system instruction the route prepends for this target. */
  system?: string
  /** Context window from the route config, when set there. */
  contextWindow?: number
  /** How the model writes tool calls into its text, from the route config (see core/tool-calls). */
  toolCallFormat?: ToolCallFormat
  /** Relative share for the weighted strategy (default 1). */
  weight?: number
}

export interface Resolution {
  /** The route alias used, if any. */
  route?: string
  /** Targets in the order to try them. */
  targets: Target[]
}

export interface ResolverDeps {
  routes: Record<string, RouteConfig>
  providers: Map<string, RuntimeProvider>
  catalog: ModelCatalog
}

/**
 * Model addressing, in DESIGN.md's order: a route alias; `provider/model`; a bare name that exactly one
 * provider lists. Anything else is a 404 that lists close matches.
 */
export async function resolveModel(name: string, deps: ResolverDeps): Promise<Resolution> {
  // Own keys only: a model named `constructor` or `__proto__` is an unknown model, not Object's.
  const route = ownValue(deps.routes, name)
  if (route) return { route: name, targets: routeTargets(route, deps) }
  const slash = name.indexOf('/')
  if (slash > 0 && deps.providers.has(name.slice(0, slash))) {
    return { targets: [{ provider: deps.providers.get(name.slice(0, slash))!, model: name.slice(slash + 1) }] }
  }
  let offering = deps.catalog.providersOffering(name)
  if (offering.length === 0) {
    await deps.catalog.refreshStale()
    offering = deps.catalog.providersOffering(name)
  }
  if (offering.length === 1) return { targets: [{ provider: offering[0], model: name }] }
  if (offering.length > 1) {
    const ids = offering.map((p) => `${p.id}/${name}`)
    throw new GatewayError(
      'invalid_request',
      `model '${name}' is offered by several providers; pick one: ${ids.join(', ')}`,
      {
        param: 'model',
        code: 'ambiguous_model',
      },
    )
  }
  throw unknownModel(name, deps)
}

/** A route's targets, kept until its config or the providers change (a config change replaces both objects). */
const resolvedRoutes = new WeakMap<RouteConfig, { providers: ResolverDeps['providers']; targets: Target[] }>()

function routeTargets(route: RouteConfig, deps: ResolverDeps): Target[] {
  const known = resolvedRoutes.get(route)
  if (known?.providers === deps.providers) return known.targets
  const targets = route.targets.map((t) => ({
    ...resolveDirect(t.model, deps),
    params: t.params,
    system: t.system,
    contextWindow: t.contextWindow,
    toolCallFormat: t.toolCallFormat,
    weight: t.weight,
  }))
  resolvedRoutes.set(route, { providers: deps.providers, targets })
  return targets
}

/** A route target's `provider/model` (routes may not point at other routes or bare names). */
export function resolveDirect(model: string, deps: ResolverDeps): Target {
  const slash = model.indexOf('/')
  const provider = slash > 0 ? deps.providers.get(model.slice(0, slash)) : undefined
  if (!provider) {
    throw new GatewayError('internal', `route target '${model}' does not name a configured provider as provider/model`)
  }
  return { provider, model: model.slice(slash + 1) }
}

/**
 * The model label per-model state is kept under (breakers, latency, retry budgets, metric series) for a
 * model that is neither a route target nor one its provider offers: clients may name any model after a
 * provider's id, and state per invented name would grow without bound.
 */
export const OTHER_MODEL = 'other'

/** `provider/model` of every route target and long-context model, per routes object (config replaces it). */
const routeTargetKeys = new WeakMap<Record<string, RouteConfig>, Set<string>>()

/** Whether `providerId/model` is configured or catalogued, i.e. deserves state of its own. */
export function isKnownModel(deps: ResolverDeps, providerId: string, model: string): boolean {
  let keys = routeTargetKeys.get(deps.routes)
  if (!keys) {
    keys = new Set()
    for (const route of Object.values(deps.routes)) {
      for (const t of route.targets) keys.add(t.model)
      if (route.longContext) keys.add(route.longContext.model)
    }
    routeTargetKeys.set(deps.routes, keys)
  }
  if (keys.has(`${providerId}/${model}`)) return true
  const provider = deps.providers.get(providerId)
  return provider !== undefined && deps.catalog.offers(provider, model)
}

export function knownModelNames(deps: ResolverDeps): string[] {
  const names = new Set(Object.keys(deps.routes))
  for (const p of deps.providers.values()) {
    for (const m of deps.catalog.modelsOf(p)) {
      names.add(`${p.id}/${m.id}`)
      names.add(m.id)
    }
  }
  return [...names]
}

/**
 * Names longer than this get no suggestions and are shortened in the message: edit distances cost the
 * name's length times each known name's, and a megabyte of name would hold the loop for minutes.
 */
const MAX_HINTED_NAME = 256

function unknownModel(name: string, deps: ResolverDeps): GatewayError {
  const close = name.length <= MAX_HINTED_NAME ? closeMatches(name, knownModelNames(deps)) : []
  const hint = close.length > 0 ? ` Did you mean: ${close.join(', ')}?` : ''
  const providers = [...deps.providers.keys()]
  const how =
    providers.length > 0
      ? ` Use a route alias, provider/model (providers: ${providers.join(', ')}) or a model a provider lists.`
      : ' No providers are configured.'
  const shown = name.length <= MAX_HINTED_NAME ? name : `${name.slice(0, MAX_HINTED_NAME)}…`
  return new GatewayError('not_found', `model '${shown}' is not configured.${hint}${how}`, {
    param: 'model',
    code: 'model_not_found',
  })
}

/** Up to 5 names nearest to `name`: substring matches first, then small edit distances. */
export function closeMatches(name: string, candidates: string[]): string[] {
  const q = name.toLowerCase()
  const scored: [number, string][] = []
  for (const c of candidates) {
    const l = c.toLowerCase()
    const d = l.includes(q) || q.includes(l) ? 0 : editDistance(q, l)
    if (d <= Math.max(2, Math.floor(q.length / 3))) scored.push([d, c])
  }
  return scored
    .sort((a, b) => a[0] - b[0] || a[1].length - b[1].length)
    .slice(0, 5)
    .map(([, c]) => c)
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = cur
  }
  return prev[b.length]
}
