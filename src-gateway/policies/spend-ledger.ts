import type { VirtualKeyConfig } from '../config/schema.js'
import type { Db } from '../store/db.js'

export type BudgetPeriod = NonNullable<VirtualKeyConfig['budget']>['period']

/** Start of the UTC period containing `now` (weeks start on Monday). */
export function periodStart(period: BudgetPeriod, now: number): number {
  const d = new Date(now)
  const [y, m, day] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()]
  switch (period) {
    case 'day':
      return Date.UTC(y, m, day)
    case 'week':
      return Date.UTC(y, m, day - ((d.getUTCDay() + 6) % 7))
    case 'month':
      return Date.UTC(y, m, 1)
    case 'total':
      return 0
  }
}

/** Start of the period after the one containing `now`; undefined for `total`, which never resets. */
export function periodEnd(period: BudgetPeriod, now: number): number | undefined {
  const start = new Date(periodStart(period, now))
  const [y, m, day] = [start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()]
  if (period === 'day') return Date.UTC(y, m, day + 1)
  if (period === 'week') return Date.UTC(y, m, day + 7)
  if (period === 'month') return Date.UTC(y, m + 1, 1)
  return undefined
}

interface Entry {
  period: BudgetPeriod
  start: number
  usd: number
}

/**
 * Spend per key in its budget period. Read from the cost ledger (request_logs) once per key, then kept
 * current by adding each row's cost as the log writer prices it, so no request waits on SQLite.
 */
export class SpendLedger {
  private entries = new Map<string, Entry>()

  constructor(
    private readonly db: Db | undefined,
    private readonly clock: () => number,
  ) {}

  /** Tracks these keys' budgets; a key whose period is unchanged keeps its running total. */
  track(budgets: Map<string, BudgetPeriod>): void {
    const now = this.clock()
    const next = new Map<string, Entry>()
    for (const [name, period] of budgets) {
      const prev = this.entries.get(name)
      const start = periodStart(period, now)
      next.set(
        name,
        prev?.period === period && prev.start === start ? prev : { period, start, usd: this.read(name, start) },
      )
    }
    this.entries = next
  }

  private read(name: string, start: number): number {
    if (!this.db) return 0
    const row = this.db
      .prepare('SELECT COALESCE(SUM(cost_usd), 0) AS usd FROM request_logs WHERE key_name = ? AND created_at >= ?')
      .get(name, new Date(start).toISOString()) as { usd: number }
    return row.usd
  }

  /** Spend of `name` in the current period (a new period starts at zero: earlier rows fall outside it). */
  spent(name: string): number {
    const e = this.entries.get(name)
    if (!e) return 0
    const start = periodStart(e.period, this.clock())
    if (start !== e.start) {
      e.start = start
      e.usd = 0
    }
    return e.usd
  }

  /** Called by the log writer for each priced row. */
  add(keyName: string | undefined, startedAt: number, costUsd: number): void {
    const e = keyName === undefined ? undefined : this.entries.get(keyName)
    if (!e) return
    this.spent(keyName!)
    if (startedAt >= e.start) e.usd += costUsd
  }
}
