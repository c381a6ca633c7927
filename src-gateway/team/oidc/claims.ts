import { ROLES, type Role } from '../../../src-shared/contract/team.js'
import { DEFAULT_WORKSPACE } from '../../../src-shared/contract/workspaces.js'
import type { OidcConfig } from '../../config/oidc-schema.js'

/** Longest claim list read: a person in thousands of groups is mapped by the first ones. */
const MAX_CLAIM_VALUES = 1000

export const DEFAULT_CLAIM = 'groups'

/** A claim's values: a string is one value (some providers send a single group or role that way). */
export function claimValues(claims: Record<string, unknown>, name: string): string[] {
  const v = claims[name]
  if (typeof v === 'string') return [v]
  if (!Array.isArray(v)) return []
  return v.slice(0, MAX_CLAIM_VALUES).filter((x): x is string => typeof x === 'string')
}

/**
 * The role and workspaces a person's claim values map to: the most powerful mapped role (else `defaultRole`,
 * else none: refused), and every mapped workspace. With no `workspaces` mapping at all, everyone is in the
 * implicit `default` workspace; with one, a person none of whose values it lists gets no workspace.
 */
export function mapClaims(
  cfg: Pick<OidcConfig, 'roles' | 'workspaces' | 'defaultRole'>,
  values: readonly string[],
): { role: Role; workspaces: string[] } | undefined {
  // Own-property lookups only: a claim value such as `__proto__` or `constructor` must not reach Object.prototype.
  const own = <T>(map: Record<string, T> | undefined, key: string): T | undefined =>
    map && Object.hasOwn(map, key) ? map[key] : undefined
  let rank = Number.POSITIVE_INFINITY
  for (const v of values) {
    const role = own(cfg.roles, v)
    if (role !== undefined) rank = Math.min(rank, ROLES.indexOf(role))
  }
  const role = Number.isFinite(rank) ? ROLES[rank] : cfg.defaultRole
  if (role === undefined) return undefined
  if (cfg.workspaces === undefined) return { role, workspaces: [DEFAULT_WORKSPACE] }
  const workspaces = new Set<string>()
  for (const v of values) {
    const mapped = own(cfg.workspaces, v)
    for (const id of typeof mapped === 'string' ? [mapped] : (mapped ?? [])) workspaces.add(id)
  }
  return { role, workspaces: [...workspaces].sort() }
}
