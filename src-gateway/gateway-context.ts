import type { LoadedConfig } from './config/load.js'
import type { CancelSignal } from './core/cancel.js'
import { InFlightCalls } from './core/in-flight.js'
import type { LogSink } from './core/log-event.js'
import { Upstreams } from './core/upstream.js'
import type { ResponseCache } from './policies/cache/store.js'
import { Policies } from './policies/policies.js'
import { Protection } from './policies/protection.js'
import type { PriceBook } from './pricing/price-book.js'
import { BreakerRegistry, DEFAULT_BREAKER } from './routing/breaker.js'
import { ModelCatalog } from './routing/catalog.js'
import { LatencyTracker } from './routing/latency.js'
import type { PlanDeps } from './routing/plan.js'
import { buildProvider, buildProviders, type RuntimeProvider } from './routing/providers.js'
import type { ResolverDeps } from './routing/resolve.js'
import { RetryBudget } from './routing/retry.js'
import type { SharedState } from './shared-state/redis.js'
import type { LogStore } from './store/log-store.js'

/** Everything a request handler needs, built once from config. */
export interface GatewayContext extends ResolverDeps, PlanDeps {
  providers: Map<string, RuntimeProvider>
  upstreams: Upstreams
  catalog: ModelCatalog
  sink: LogSink
  /** Keep request/response bodies on log events (config `logs.storeBodies`, default on). */
  captureBodies: boolean
  /** Injected so tests can make breakers, backoff and weighted picks deterministic. */
  clock: () => number
  sleep: (ms: number, signal: CancelSignal) => Promise<void>
  /** Virtual keys, rate limits, budgets and residency (policies/). */
  policies: Policies
  /** Redaction, guardrails and cache settings per route and key. */
  protection: Protection
  /** The response cache; absent until the server attaches one (it lives in the data dir's database). */
  cache?: ResponseCache
  /** Chat calls in flight, which a shutdown waits for (server.ts). */
  inFlight: InFlightCalls
  /** The Redis several instances share (config `redis`), connected at start; undefined without one. */
  shared?: SharedState
  /**
   * The request log's readers (reports, detail, export, replay, retention): the data folder's SQLite, or the
   * shared Postgres with `database`; undefined without a database (`--no-log`, tests without a data dir).
   */
  logStore?: LogStore
}

export interface ContextOptions {
  priceBook?: PriceBook
  clock?: () => number
  random?: () => number
  sleep?: (ms: number, signal: CancelSignal) => Promise<void>
  /** Built by the server first, because the request log feeds budgets; otherwise built here without a ledger. */
  policies?: Policies
  cache?: ResponseCache
}

/** Waits `ms`, or less if the client goes away. */
function abortableSleep(ms: number, signal: CancelSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        resolve()
      },
      { once: true },
    )
  })
}

export function createGatewayContext(config: LoadedConfig, sink: LogSink, opts: ContextOptions = {}): GatewayContext {
  const providers = buildProviders(config.resolved)
  const upstreams = new Upstreams()
  const budgets = new Map<string, RetryBudget>()
  const clock = opts.clock ?? Date.now
  return {
    breakers: new BreakerRegistry({ ...DEFAULT_BREAKER, ...config.resolved.server?.breaker }),
    latency: new LatencyTracker(),
    priceBook: opts.priceBook,
    budgetFor(key, ratio) {
      let b = budgets.get(key)
      if (!b) {
        b = new RetryBudget(ratio)
        budgets.set(key, b)
      }
      return b
    },
    random: opts.random ?? Math.random,
    clock,
    sleep: opts.sleep ?? abortableSleep,
    providers,
    upstreams,
    catalog: new ModelCatalog(providers, upstreams),
    routes: config.resolved.routes ?? {},
    sink,
    captureBodies: config.resolved.logs?.storeBodies ?? true,
    policies: opts.policies ?? new Policies(config.resolved, undefined, clock),
    protection: new Protection(config.resolved),
    cache: opts.cache,
    inFlight: new InFlightCalls(),
  }
}

/** Whether two runtime providers would call the same upstream the same way. */
function sameProvider(a: RuntimeProvider, b: RuntimeProvider): boolean {
  const shape = (p: RuntimeProvider) => JSON.stringify([p.ctx, p.timeouts, p.configuredModels, p.maxConnections])
  return a.adapter === b.adapter && shape(a) === shape(b)
}

/**
 * Switches a running gateway to a new config without a restart. Unchanged providers keep their
 * objects (and so their model lists); requests already in flight finish on what they resolved, and the
 * connection pools of changed or removed providers close once those requests are done.
 */
export function applyConfig(gw: GatewayContext, config: LoadedConfig): void {
  const next = new Map<string, RuntimeProvider>()
  for (const [id, cfg] of Object.entries(config.resolved.providers ?? {})) {
    const built = buildProvider(id, cfg)
    const prev = gw.providers.get(id)
    next.set(id, prev && sameProvider(prev, built) ? prev : built)
  }
  gw.providers = next
  gw.upstreams.retain(
    [...next.values()].map((p) => ({
      baseUrl: p.ctx.baseUrl,
      connectMs: p.timeouts.connectMs,
      maxConnections: p.maxConnections,
    })),
  )
  gw.routes = config.resolved.routes ?? {}
  gw.captureBodies = config.resolved.logs?.storeBodies ?? true
  gw.policies.apply(config.resolved)
  gw.protection.apply(config.resolved)
  gw.cache?.apply(config.resolved.cache ?? { mode: 'off' })
  void gw.catalog.replaceProviders(next)
}
