import type { Budget } from '../../../src-shared/contract/budgets.js'
import type { WorkspaceLimits as Limits, Workspace } from '../../../src-shared/contract/workspaces.js'
import type { Db } from '../../store/db.js'
import { BudgetGate } from '../budget-gate.js'
import { bucketId, KeyLimiter } from '../limiter.js'
import { type BudgetPeriod, SpendLedger } from '../spend-ledger.js'

/** One workspace's budget and rate limits, with the state that enforces them over all its calls. */
export interface WorkspaceState {
  readonly id: string
  readonly budget?: Budget
  /** Calls in flight against the budget; present with a budget. */
  readonly gate?: BudgetGate
  /** RPM/TPM buckets over every call in the workspace; present with limits. */
  readonly limiter?: KeyLimiter
}

const sameLimits = (a: Limits, b: Limits) => a.rpm === b.rpm && a.tpm === b.tpm

/**
 * The `workspaces.<id>.budget` and `.limits` of a config: one spend ledger summed over the workspace's
 * request_logs rows (every key's and UI call's), one budget gate and one limiter per workspace. A config
 * change keeps the state of a workspace whose settings did not change, so a reload neither forgets calls in
 * flight nor refills its buckets.
 */
export class WorkspaceLimitsState {
  readonly ledger: SpendLedger
  private states = new Map<string, WorkspaceState>()

  constructor(
    db: Db | undefined,
    private readonly clock: () => number,
  ) {
    this.ledger = new SpendLedger(db, clock, 'workspace')
  }

  apply(workspaces: Record<string, Workspace> | undefined): void {
    const now = this.clock()
    const next = new Map<string, WorkspaceState>()
    const budgets = new Map<string, BudgetPeriod>()
    for (const [id, ws] of Object.entries(workspaces ?? {})) {
      if (!ws.budget && !ws.limits) continue
      const prev = this.states.get(id)
      const limits = ws.limits
      const limiter =
        limits && (limits.rpm || limits.tpm)
          ? prev?.limiter && sameLimits(prev.limiter.limits, limits)
            ? prev.limiter
            : new KeyLimiter({ rpm: limits.rpm, tpm: limits.tpm }, now, bucketId('ws', id))
          : undefined
      if (ws.budget) budgets.set(id, ws.budget.period)
      next.set(id, {
        id,
        budget: ws.budget,
        gate: ws.budget ? (prev?.gate ?? new BudgetGate()) : undefined,
        limiter,
      })
    }
    this.ledger.track(budgets)
    this.states = next
  }

  /** The workspace's budget and limits; undefined when it has neither (its calls then pay nothing here). */
  get(id: string | undefined): WorkspaceState | undefined {
    return id === undefined ? undefined : this.states.get(id)
  }

  /**
   * With budgets shared through Redis, the spend of a workspace's budget as every instance sees it (set by
   * policies/budgets.ts); this instance's ledger otherwise.
   */
  sharedSpent?: (id: string, budget: Budget) => number

  /** What the workspace's calls have cost in its budget's current period; undefined without a budget. */
  spent(id: string): number | undefined {
    const budget = this.states.get(id)?.budget
    if (!budget) return undefined
    return this.sharedSpent ? this.sharedSpent(id, budget) : this.ledger.spent(id)
  }
}
