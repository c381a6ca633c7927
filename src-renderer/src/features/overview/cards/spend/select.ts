import type { SpendGroup } from '../../../../../../src-shared/admin-api'

/** How many workspaces and people the card lists; the rest are a Logs filter away. */
export const SPEND_ROWS = 8

/** One table's rows: the dearest groups, the calls without one last (they are not anyone's spend). */
export function spendRows(groups: readonly SpendGroup[], limit = SPEND_ROWS): SpendGroup[] {
  const named = groups.filter((g) => g.group !== null && g.requests > 0)
  const none = groups.filter((g) => g.group === null && g.requests > 0)
  return [...named.slice(0, limit), ...none]
}

/**
 * Whether the range has anything to split by: a call from a key (every key has a workspace) or one naming its
 * person. A solo desktop without keys has neither, and the card stays away.
 */
export function hasSpendSplit(spend: { workspace: readonly SpendGroup[]; person: readonly SpendGroup[] }): boolean {
  return [...spend.workspace, ...spend.person].some((g) => g.group !== null && g.requests > 0)
}
