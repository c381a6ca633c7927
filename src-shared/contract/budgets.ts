import { type Static, Type } from 'typebox'

/**
 * What a key or a workspace may spend per period, and what happens once it has. One schema for both, so a
 * workspace's budget reads, validates and behaves like a key's.
 */
export const BudgetSchema = Type.Object(
  {
    usd: Type.Number({ minimum: 0 }),
    period: Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month'), Type.Literal('total')]),
    /** `block` (default) answers 429; `downgrade:<provider/model>` serves the call with that model. */
    onExceed: Type.Optional(Type.Union([Type.Literal('block'), Type.String({ pattern: '^downgrade:[^/]+/.+$' })])),
  },
  { additionalProperties: false },
)
export type Budget = Static<typeof BudgetSchema>
export type BudgetPeriod = Budget['period']
/** `block` answers 429 once the budget is spent; `downgrade:<provider/model>` serves the call with that model. */
export type OnExceed = 'block' | `downgrade:${string}`
