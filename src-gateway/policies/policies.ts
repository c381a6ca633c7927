import type { Alerts } from '../alerts/alerts.js'
import type { GatewayConfig, RouteConfig } from '../config/schema.js'
import { keyWorkspace, sharedWith } from '../config/workspaces.js'
import type { ChatRequest, EmbeddingsRequest } from '../core/chat-types.js'
import { GatewayError } from '../core/errors.js'
import type { LogEvent } from '../core/log-event.js'
import type { PriceBook } from '../pricing/price-book.js'
import type { Target } from '../routing/resolve.js'
import type { SharedState } from '../shared-state/redis.js'
import { RedisLimits } from '../shared-state/redis-limits.js'
import type { Db } from '../store/db.js'
import { Budgets, type BudgetTicket, estimateTokens, secondsUntil } from './budgets.js'
import { buildKey, findKey, type VirtualKey } from './keys.js'
import {
  type BucketClaim,
  type ClaimOutcome,
  type HeaderSink,
  type LimitBackend,
  localBuckets,
  setRateLimitHeaders,
} from './limit-buckets.js'
import { bucketId, KeyLimiter } from './limiter.js'
import { ProviderLimits } from './provider-limits.js'
import { bothFilters, residencyFilter } from './residency.js'
import { WorkspaceLimitsState, type WorkspaceState } from './workspace-limits/workspace-limits.js'

/** What a call may do once its key is admitted. */
export interface Admission {
  /** The model to resolve: the one requested, or the budget's downgrade model. */
  model: string
  /** Residency: drops targets the key may not reach (throws 403 when none is left). */
  filterTargets?: (targets: Target[], model: string) => Target[]
  /** Called once the call has ended, with its log event, to charge what it really used. */
  settle(event: LogEvent): void
}

/**
 * Policies' collaborators beyond config: pricing for budgets charged as calls end, alerts, and the Redis that
 * several instances share (once connected).
 */
export interface PolicyDeps {
  priceBook?: PriceBook
  alerts?: Alerts
  shared?: () => SharedState | undefined
}

/** The end user a call is made for: OpenAI's `user` field or Anthropic's `metadata.user_id`. */
function endUser(body: Record<string, unknown>): string | undefined {
  const meta = body.metadata as { user_id?: unknown } | undefined
  const user = typeof body.user === 'string' ? body.user : meta?.user_id
  return typeof user === 'string' && user !== '' ? user : undefined
}

function checkModel(key: VirtualKey, model: string): void {
  if (key.allowsModel(model)) return
  throw new GatewayError(
    'permission',
    `key '${key.name}' may not use model '${model}' (allowed: ${key.config.models!.join(', ')})`,
    { code: 'model_not_allowed' },
  )
}

/**
 * A call between its budget decision and its admission: the key's and its workspace's limiters, the buckets it
 * takes from, and what the admission will say.
 */
interface Limited {
  key?: VirtualKey
  ws?: WorkspaceState
  limiter?: KeyLimiter
  wsLimiter?: KeyLimiter
  keyClaims: readonly BucketClaim[]
  wsClaims: readonly BucketClaim[]
  /** The estimated prompt tokens TPM buckets were charged. */
  estimate: number
  budget?: BudgetTicket
  backend: LimitBackend
  model: string
  caller?: WorkspaceCaller
  routeResidency: Admission['filterTargets']
}

const NO_CLAIMS: readonly BucketClaim[] = []

/** Who makes a call, for the workspace sharing rules: a key (in its workspace) or a keyless UI call made in one. */
interface WorkspaceCaller {
  /** `key 'ci'`, or `this call` for a UI call. */
  who: string
  workspace: string
}

const keyCaller = (key: VirtualKey): WorkspaceCaller => ({
  who: `key '${key.name}'`,
  workspace: keyWorkspace(key.config),
})

/** The refusal of a model that is not shared with the caller's workspace: the same answer as a model a key may not use. */
function notInWorkspace(caller: WorkspaceCaller, model: string, what: string): GatewayError {
  return new GatewayError(
    'permission',
    `${caller.who} may not use model '${model}': ${what} is not shared with its workspace '${caller.workspace}'`,
    { code: 'model_not_allowed' },
  )
}

/**
 * Virtual keys and what they allow: authentication, model allow-lists, rate limits, budgets and data
 * residency. Built from config and rebuilt in place on a config change (rate-limit state survives for
 * keys whose limits did not change).
 */
export class Policies {
  private keys: VirtualKey[] = []
  private byName = new Map<string, VirtualKey>()
  private limiters = new Map<string, KeyLimiter>()
  /** The Redis-backed buckets, made once per shared state. */
  private redisLimits?: { shared: SharedState; backend: RedisLimits }
  private providerTags = new Map<string, string[]>()
  private providerIds = new Set<string>()
  /** Providers only some workspaces may use (`providers.X.workspaces`); the others are shared. */
  private providerWorkspaces = new Map<string, string[]>()
  private routes: Record<string, RouteConfig> = {}
  private configured = 0
  private readonly budgets: Budgets
  /** `workspaces.<id>.budget` and `.limits`: summed over every call of the workspace. */
  readonly workspaces: WorkspaceLimitsState
  readonly providerLimits = new ProviderLimits()

  constructor(
    config: GatewayConfig,
    db: Db | undefined,
    private readonly clock: () => number,
    private readonly deps: PolicyDeps = {},
  ) {
    this.workspaces = new WorkspaceLimitsState(db, clock)
    this.budgets = new Budgets(db, clock, this.workspaces, { ...deps, pricedTargets: (m) => this.pricedTargets(m) })
    this.apply(config)
  }

  apply(config: GatewayConfig): void {
    const now = this.clock()
    const cfgs = config.keys ?? []
    this.configured = cfgs.length
    // A key whose `${env:…}` did not resolve is empty: it stays configured (so auth stays on) but matches nothing.
    this.keys = cfgs.filter((k) => k.key !== '').map(buildKey)
    this.byName = new Map(this.keys.map((k) => [k.name, k]))
    const limiters = new Map<string, KeyLimiter>()
    for (const k of this.keys) {
      const limits = k.config.limits ?? {}
      const prev = this.limiters.get(k.name)
      limiters.set(
        k.name,
        prev && JSON.stringify(prev.limits) === JSON.stringify(limits)
          ? prev
          : new KeyLimiter(limits, now, bucketId('key', k.name)),
      )
    }
    this.limiters = limiters
    this.providerTags = new Map(Object.entries(config.providers ?? {}).map(([id, p]) => [id, p.tags ?? []]))
    this.providerIds = new Set(Object.keys(config.providers ?? {}))
    this.providerWorkspaces = new Map(
      Object.entries(config.providers ?? {}).flatMap(([id, p]) => (p.workspaces ? [[id, p.workspaces]] : [])),
    )
    this.routes = config.routes ?? {}
    this.providerLimits.apply(config.providers ?? {}, now)
    this.budgets.apply(this.keys)
    this.workspaces.apply(config.workspaces)
    this.deps.alerts?.apply(config)
  }

  /** Whether callers need a key: as soon as one is configured. */
  get enabled(): boolean {
    return this.configured > 0
  }

  /** The key a presented secret belongs to; 401 when there is none or it has expired. */
  authenticate(given: string | undefined): VirtualKey {
    const key = given === undefined ? undefined : findKey(this.keys, given)
    if (!key) {
      throw new GatewayError(
        'authentication',
        given === undefined
          ? 'this gateway needs an API key: send Authorization: Bearer <key> or x-api-key: <key>'
          : 'invalid API key',
        { code: 'invalid_api_key' },
      )
    }
    if (key.expiresAtMs !== undefined && this.clock() >= key.expiresAtMs) {
      throw new GatewayError('authentication', `API key '${key.name}' expired at ${key.config.expiresAt}`, {
        code: 'expired_api_key',
      })
    }
    return key
  }

  /**
   * Checks a decoded chat or embeddings call against its key and its workspace before any upstream call:
   * model allow-list (403), the key's budget then the workspace's (429, or a downgrade for chat), then the
   * key's rate limits and the workspace's (429). Sets `x-ratelimit-*` either way. A budgeted call reserves
   * what it may cost until `settle`, so concurrent calls see each other. A call without a key (the UI's)
   * meets its workspace's budget and limits when the auth hook has set `event.workspace`. A Promise only when a
   * budget is shared through Redis: without `redis` admission stays synchronous.
   */
  admit(
    keyName: string | undefined,
    reply: HeaderSink,
    event: LogEvent,
    canonical: ChatRequest | EmbeddingsRequest,
    body: Record<string, unknown>,
  ): Admission | Promise<Admission> {
    const routeResidency = this.routeResidency(canonical.model)
    const key = keyName === undefined ? undefined : this.authenticatedKey(keyName)
    if (key) {
      event.keyName = key.name
      event.workspace = keyWorkspace(key.config)
      this.deps.alerts?.requestSeen(key.name)
      checkModel(key, canonical.model)
    }
    const caller = this.callerOf(key, event.workspace)
    if (caller) this.checkWorkspace(caller, canonical.model)
    const ws = this.workspaces.get(event.workspace)
    if (!key && !ws) {
      const filterTargets = bothFilters(routeResidency, caller && this.workspaceFilter(caller))
      return { model: canonical.model, filterTargets, settle: (e) => this.settleProviders(e) }
    }
    // Decided before the rate limits take anything, committed after they agreed.
    const budget = this.budgets.decide(key, ws, canonical)
    if (budget instanceof Promise) {
      return budget.then((b) => this.admitWith(b, key, ws, caller, routeResidency, reply, event, canonical, body))
    }
    return this.admitWith(budget, key, ws, caller, routeResidency, reply, event, canonical, body)
  }

  /** The rest of `admit` once the budgets decided: the rate limits, then the call's reservations. */
  private admitWith(
    budget: BudgetTicket | undefined,
    key: VirtualKey | undefined,
    ws: WorkspaceState | undefined,
    caller: WorkspaceCaller | undefined,
    routeResidency: Admission['filterTargets'],
    reply: HeaderSink,
    event: LogEvent,
    canonical: ChatRequest | EmbeddingsRequest,
    body: Record<string, unknown>,
  ): Admission | Promise<Admission> {
    const model = budget?.model ?? canonical.model
    if (model !== canonical.model) event.downgradedFrom = canonical.model

    const now = this.clock()
    const limiter = key && this.limiters.get(key.name)
    const wsLimiter = ws?.limiter
    const estimate = limiter?.hasTpm || wsLimiter?.hasTpm ? estimateTokens(canonical) : 0
    const keyClaims = limiter ? limiter.claims(estimate, endUser(body), now) : NO_CLAIMS
    const wsClaims = wsLimiter ? wsLimiter.claims(estimate, undefined, now) : NO_CLAIMS
    const backend = this.limitBackend()
    const limited: Limited = {
      key,
      ws,
      limiter,
      wsLimiter,
      keyClaims,
      wsClaims,
      estimate,
      budget,
      backend,
      model,
      caller,
      routeResidency,
    }
    // A key without limits in a workspace without any makes no round trip to the shared state.
    if (keyClaims.length + wsClaims.length === 0) return this.admitted(limited)
    // One check of every bucket the call takes from (one Redis script with shared state): all or nothing.
    const claims = wsClaims.length === 0 ? keyClaims : keyClaims.length === 0 ? wsClaims : [...keyClaims, ...wsClaims]
    let outcome: ClaimOutcome | Promise<ClaimOutcome>
    try {
      outcome = backend.takeAll(claims, now)
    } catch (err) {
      budget?.cancel()
      throw err
    }
    if (outcome instanceof Promise) {
      return outcome.then(
        (o) => this.afterLimits(o, limited, reply),
        (err) => {
          budget?.cancel()
          throw err
        },
      )
    }
    return this.afterLimits(outcome, limited, reply)
  }

  /** Sets the `x-ratelimit-*` headers and refuses the call with the 429 of the limit that ran out, if one did. */
  private afterLimits(outcome: ClaimOutcome, l: Limited, reply: HeaderSink): Admission {
    const { keyClaims, wsClaims } = l
    // The key's own limits win the headers; a key without limits shows its workspace's.
    if (wsClaims.length > 0) setRateLimitHeaders(reply, wsClaims, outcome.states.slice(keyClaims.length))
    if (keyClaims.length > 0) setRateLimitHeaders(reply, keyClaims, outcome.states)
    const refused = outcome.refused
    if (!refused) return this.admitted(l)
    l.budget?.cancel()
    if (keyClaims.includes(refused.claim)) {
      throw new GatewayError('rate_limited', `key '${l.key!.name}' is over its ${refused.claim.what} limit`, {
        code: 'rate_limit_exceeded',
        retryAfter: secondsUntil(refused.retryAfterMs),
      })
    }
    throw new GatewayError('rate_limited', `workspace '${l.ws!.id}' is over its ${refused.claim.what} limit`, {
      code: 'workspace_rate_limited',
      retryAfter: secondsUntil(refused.retryAfterMs),
    })
  }

  /** An admitted call: its reservations committed, and what to correct once it ends. */
  private admitted(l: Limited): Admission {
    const { key, limiter, wsLimiter, estimate, budget, backend, caller, model, routeResidency } = l
    budget?.commit()
    return {
      model,
      filterTargets: bothFilters(
        bothFilters(routeResidency, key && this.keyResidency(key)),
        caller && this.workspaceFilter(caller),
      ),
      settle: (e) => {
        this.settleProviders(e)
        if (limiter?.hasTpm || wsLimiter?.hasTpm) {
          const reported = e.inputTokens !== undefined || e.outputTokens !== undefined
          // A call that failed without usage cost the upstream nothing: give the estimate back.
          // A cache hit used no upstream tokens either.
          const used = reported ? (e.inputTokens ?? 0) + (e.outputTokens ?? 0) : e.status < 400 ? estimate : 0
          const actual = e.isCacheHit ? 0 : used
          const now = this.clock()
          const keyTokens = limiter?.tokensClaim()
          const wsTokens = wsLimiter?.tokensClaim()
          if (keyTokens) backend.adjust(keyTokens, actual - estimate, now)
          if (wsTokens) backend.adjust(wsTokens, actual - estimate, now)
        }
        budget?.settle(e)
      },
    }
  }

  /** Where rate-limit buckets live: Redis once connected (config `redis`), else this process. */
  private limitBackend(): LimitBackend {
    const shared = this.deps.shared?.()
    if (!shared) return localBuckets
    if (this.redisLimits?.shared !== shared) this.redisLimits = { shared, backend: new RedisLimits(shared) }
    return this.redisLimits.backend
  }

  /**
   * Where the prompt of a request that is not a chat call (count_tokens) may go: the key's model allow-list
   * (403), what is shared with the key's workspace (or `workspace`, a keyless UI call's) and the route's and
   * key's residency, exactly as `admit` would decide for a chat call.
   */
  restrictions(keyName: string | undefined, model: string, workspace?: string): Admission['filterTargets'] {
    const routeResidency = this.routeResidency(model)
    const key = keyName === undefined ? undefined : this.authenticatedKey(keyName)
    if (key) checkModel(key, model)
    const caller = this.callerOf(key, workspace)
    if (caller) this.checkWorkspace(caller, model)
    return bothFilters(
      bothFilters(routeResidency, key && this.keyResidency(key)),
      caller && this.workspaceFilter(caller),
    )
  }

  /**
   * Whether a key may call `model` as GET /v1/models lists it (a route's name or `provider/model`): its model
   * globs and its workspace allow it. A keyless caller sees what is shared with `workspace` (a UI call's), or
   * everything without one.
   */
  mayList(keyName: string | undefined, model: string, workspace?: string): boolean {
    const key = keyName === undefined ? undefined : this.byName.get(keyName)
    if (keyName !== undefined && !key?.allowsModel(model)) return false
    const caller = this.callerOf(key, workspace)
    if (!caller) return true
    try {
      this.checkWorkspace(caller, model)
      return true
    } catch {
      return false
    }
  }

  /** Whose workspace the sharing rules judge: the key's; a keyless call's own when it has one; else none. */
  private callerOf(key: VirtualKey | undefined, workspace: string | undefined): WorkspaceCaller | undefined {
    if (key) return keyCaller(key)
    return workspace === undefined ? undefined : { who: 'this call', workspace }
  }

  /**
   * A key (or a UI call made in a workspace) may address a route or a provider (`provider/model`) only when it
   * is shared with its workspace; a bare model name is judged by the targets it resolves to (`workspaceFilter`).
   */
  private checkWorkspace(caller: WorkspaceCaller, model: string): void {
    const ws = caller.workspace
    if (Object.hasOwn(this.routes, model)) {
      if (!sharedWith(this.routes[model].workspaces, ws)) throw notInWorkspace(caller, model, `route '${model}'`)
      return
    }
    const slash = model.indexOf('/')
    const provider = slash > 0 ? model.slice(0, slash) : undefined
    if (provider !== undefined && !sharedWith(this.providerWorkspaces.get(provider), ws)) {
      throw notInWorkspace(caller, model, `provider '${provider}'`)
    }
  }

  /**
   * Drops targets on providers not shared with the caller's workspace, so neither a shared route's fallbacks nor
   * a bare model name reach one; none left is the same 403 as a model the key may not use.
   */
  private workspaceFilter(caller: WorkspaceCaller): Admission['filterTargets'] {
    if (this.providerWorkspaces.size === 0) return undefined
    const ws = caller.workspace
    return (targets, model) => {
      const allowed = targets.filter((t) => sharedWith(this.providerWorkspaces.get(t.provider.id), ws))
      if (allowed.length > 0) return allowed
      const ids = [...new Set(targets.map((t) => t.provider.id))].join(', ')
      throw notInWorkspace(caller, model, `provider ${ids}`)
    }
  }

  /** The key a request was authenticated with, unless a config change has removed it since. */
  private authenticatedKey(name: string): VirtualKey {
    const key = this.byName.get(name)
    if (!key) throw new GatewayError('authentication', 'invalid API key', { code: 'invalid_api_key' })
    return key
  }

  /** A key restricted to provider tags (`keys[].tags`). */
  private keyResidency(key: VirtualKey) {
    const tags = key.config.tags
    return tags ? residencyFilter(`key '${key.name}'`, tags, (id) => this.providerTags.get(id) ?? []) : undefined
  }

  /** A route restricted to provider tags (`routes.X.tags`): applied to every call of the route, keyed or not. */
  private routeResidency(model: string) {
    const tags = Object.hasOwn(this.routes, model) ? this.routes[model].tags : undefined
    return tags ? residencyFilter(`route '${model}'`, tags, (id) => this.providerTags.get(id) ?? []) : undefined
  }

  /**
   * Takes a provider's rate limits for one attempt of `event`'s call to it; the 429 to record when the
   * provider has no room (the pipeline then skips the target, as for an open circuit).
   */
  takeProvider(
    event: LogEvent,
    providerId: string,
    call: ChatRequest | EmbeddingsRequest,
  ): GatewayError | undefined | Promise<GatewayError | undefined> {
    return this.providerLimits.take(this.limitBackend(), event, providerId, () => estimateTokens(call), this.clock())
  }

  private settleProviders(e: LogEvent): void {
    this.providerLimits.settle(this.limitBackend(), e, this.clock())
  }

  /**
   * Budgets read their periods' logged spend from `read` instead of this instance's database: the log is the
   * shared Postgres (config `database`). Resolves once the periods tracked now are read.
   */
  seedSpendFrom(read: (scope: 'key' | 'workspace', name: string, since: number) => Promise<number>): Promise<unknown> {
    return this.budgets.seedSpendFrom(read)
  }

  /** The log writer priced a row: the ledgers swap the charge made when the call ended for this price. */
  confirmSpend(e: LogEvent, costUsd: number): void {
    this.budgets.confirm(e, costUsd)
  }

  /** Where a requested model may be served, as far as config tells without resolving it. */
  private pricedTargets(model: string): { providerId?: string; model: string }[] {
    const split = (m: string) => {
      const slash = m.indexOf('/')
      return slash > 0 && this.providerIds.has(m.slice(0, slash))
        ? { providerId: m.slice(0, slash), model: m.slice(slash + 1) }
        : { model: m }
    }
    const route = Object.hasOwn(this.routes, model) ? this.routes[model] : undefined
    return route ? route.targets.map((t) => split(t.model)) : [split(model)]
  }

  /** The keys as the admin API shows them: never the secret, only a masked hint; budgets with current spend. */
  list() {
    return this.keys.map((k) => {
      const { budget, ...rest } = k.config
      return {
        ...rest,
        key: k.masked,
        budget: budget && this.budgets.keyView(k.name, budget),
        trafficAnomaly: this.deps.alerts?.trafficFlag(k.name) ?? null,
      }
    })
  }
}
