import type { FastifyReply, FastifyRequest } from 'fastify'
import type { GatewayConfig } from '../config/schema.js'
import type { ChatRequest, EmbeddingsRequest } from '../core/chat-types.js'
import { GatewayError } from '../core/errors.js'
import type { LogEvent } from '../core/log-event.js'
import { promptChars } from '../routing/plan.js'
import type { Target } from '../routing/resolve.js'
import type { Db } from '../store/db.js'
import { buildKey, findKey, type VirtualKey } from './keys.js'
import { KeyLimiter } from './limiter.js'
import { residencyFilter } from './residency.js'
import { type BudgetPeriod, periodEnd, SpendLedger } from './spend-ledger.js'

/** What a call may do once its key is admitted. */
export interface Admission {
  /** The model to resolve: the one requested, or the budget's downgrade model. */
  model: string
  /** Residency: drops targets the key may not reach (throws 403 when none is left). */
  filterTargets?: (targets: Target[], model: string) => Target[]
  /** Called once the call has ended, with its log event, to charge what it really used. */
  settle(event: LogEvent): void
}

const OPEN: Omit<Admission, 'model'> = { settle() {} }

/** The end user a call is made for: OpenAI's `user` field or Anthropic's `metadata.user_id`. */
function endUser(body: Record<string, unknown>): string | undefined {
  const meta = body.metadata as { user_id?: unknown } | undefined
  const user = typeof body.user === 'string' ? body.user : meta?.user_id
  return typeof user === 'string' && user !== '' ? user : undefined
}

/** Characters / 4 is what a prompt usually costs; the real count replaces it when the call ends. */
function estimateTokens(call: ChatRequest | EmbeddingsRequest): number {
  const chars = 'messages' in call ? promptChars(call) : JSON.stringify(call.input).length
  return Math.ceil(chars / 4)
}

const secondsUntil = (ms: number) => String(Math.max(1, Math.ceil(ms / 1000)))

/**
 * Virtual keys and what they allow: authentication, model allow-lists, rate limits, budgets and data
 * residency. Built from config and rebuilt in place on a config change (rate-limit state survives for
 * keys whose limits did not change).
 */
export class Policies {
  private keys: VirtualKey[] = []
  private byName = new Map<string, VirtualKey>()
  private limiters = new Map<string, KeyLimiter>()
  private providerTags = new Map<string, string[]>()
  private configured = 0
  readonly ledger: SpendLedger

  constructor(
    config: GatewayConfig,
    db: Db | undefined,
    private readonly clock: () => number,
  ) {
    this.ledger = new SpendLedger(db, clock)
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
        prev && JSON.stringify(prev.limits) === JSON.stringify(limits) ? prev : new KeyLimiter(limits, now),
      )
    }
    this.limiters = limiters
    this.providerTags = new Map(Object.entries(config.providers ?? {}).map(([id, p]) => [id, p.tags ?? []]))
    const budgets = new Map<string, BudgetPeriod>()
    for (const k of this.keys) if (k.config.budget) budgets.set(k.name, k.config.budget.period)
    this.ledger.track(budgets)
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
   * Checks a decoded chat or embeddings call against its key before any upstream call: model allow-list
   * (403), budget (429, or a downgrade for chat), then rate limits (429). Sets `x-ratelimit-*` either way.
   */
  admit(
    req: FastifyRequest,
    reply: FastifyReply,
    event: LogEvent,
    canonical: ChatRequest | EmbeddingsRequest,
    body: Record<string, unknown>,
  ): Admission {
    if (req.keyName === undefined) return { ...OPEN, model: canonical.model }
    const key = this.byName.get(req.keyName)
    // Removed by a config change since the request was authenticated.
    if (!key) throw new GatewayError('authentication', 'invalid API key', { code: 'invalid_api_key' })
    event.keyName = key.name
    if (!key.allowsModel(canonical.model)) {
      throw new GatewayError(
        'permission',
        `key '${key.name}' may not use model '${canonical.model}' (allowed: ${key.config.models!.join(', ')})`,
        { code: 'model_not_allowed' },
      )
    }
    // The downgrade model is a chat model: an embeddings call over budget is blocked instead.
    const model = this.budgetModel(key, canonical.model, 'messages' in canonical)
    if (model !== canonical.model) event.downgradedFrom = canonical.model

    const now = this.clock()
    const limiter = this.limiters.get(key.name)!
    const estimate = limiter.hasTpm ? estimateTokens(canonical) : 0
    const refusal = limiter.admit(estimate, endUser(body), now)
    limiter.setHeaders(reply, now)
    if (refusal) {
      throw new GatewayError('rate_limited', `key '${key.name}' is over its ${refusal.what} limit`, {
        code: 'rate_limit_exceeded',
        retryAfter: secondsUntil(refusal.retryAfterMs),
      })
    }
    const tags = key.config.tags
    return {
      model,
      filterTargets: tags ? residencyFilter(key.name, tags, (id) => this.providerTags.get(id) ?? []) : undefined,
      settle: (e) => {
        if (!limiter.hasTpm) return
        const reported = e.inputTokens !== undefined || e.outputTokens !== undefined
        // A call that failed without usage cost the upstream nothing: give the estimate back.
        const actual = reported ? (e.inputTokens ?? 0) + (e.outputTokens ?? 0) : e.status < 400 ? estimate : 0
        limiter.correctTokens(estimate, actual, this.clock())
      },
    }
  }

  /** The model to serve with: the requested one within budget, else the downgrade model, else 429. */
  private budgetModel(key: VirtualKey, requested: string, canDowngrade: boolean): string {
    const budget = key.config.budget
    if (!budget) return requested
    const spent = this.ledger.spent(key.name)
    if (spent < budget.usd) return requested
    const onExceed = budget.onExceed ?? 'block'
    if (canDowngrade && onExceed.startsWith('downgrade:')) return onExceed.slice('downgrade:'.length)
    const end = periodEnd(budget.period, this.clock())
    throw new GatewayError(
      'rate_limited',
      `key '${key.name}' has used its ${budget.period === 'total' ? 'total' : `${budget.period}ly`} budget: $${spent.toFixed(4)} of $${budget.usd}`,
      { code: 'budget_exceeded', retryAfter: end === undefined ? undefined : secondsUntil(end - this.clock()) },
    )
  }

  /** The keys as the admin API shows them: never the secret, only a masked hint; budgets with current spend. */
  list() {
    return this.keys.map((k) => {
      const { budget, ...rest } = k.config
      const spent = budget ? this.ledger.spent(k.name) : undefined
      return {
        ...rest,
        key: k.masked,
        budget: budget && {
          ...budget,
          onExceed: budget.onExceed ?? 'block',
          spentUsd: spent,
          percentUsed: budget.usd > 0 ? (spent! / budget.usd) * 100 : spent! > 0 ? 100 : 0,
        },
      }
    })
  }
}
