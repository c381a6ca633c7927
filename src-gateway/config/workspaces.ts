import { DEFAULT_WORKSPACE } from '../../src-shared/contract/workspaces.js'
import type { GatewayConfig } from './schema.js'
import type { ConfigProblem } from './schema-problems.js'

/** The workspaces a config has: the ones it lists, and `default`, which always exists. */
export function workspaceIds(cfg: Pick<GatewayConfig, 'workspaces'>): Set<string> {
  return new Set([DEFAULT_WORKSPACE, ...Object.keys(cfg.workspaces ?? {})])
}

/** The workspace a key belongs to: its own, else `default`. */
export const keyWorkspace = (key: { workspace?: string }): string => key.workspace ?? DEFAULT_WORKSPACE

/** Whether something listing `workspaces` (a provider, a route) may be used from workspace `ws`: absent is shared. */
export const sharedWith = (workspaces: readonly string[] | undefined, ws: string): boolean =>
  workspaces === undefined || workspaces.includes(ws)

/**
 * Whether shared config listing `workspaces` is visible to someone who sees `visible` (undefined: everything, an
 * owner's or admin's view): shared with all, or with one of theirs.
 */
export const sharedWithAny = (workspaces: readonly string[] | undefined, visible: readonly string[] | undefined) =>
  visible === undefined || workspaces === undefined || workspaces.some((w) => visible.includes(w))

/** Keys, providers and routes naming a workspace the config does not have; workspace budgets downgrading nowhere. */
export function workspaceProblems(cfg: GatewayConfig): ConfigProblem[] {
  const ids = workspaceIds(cfg)
  const known = [...ids].join(', ')
  const out: ConfigProblem[] = []
  const check = (path: string, id: string) => {
    if (!ids.has(id)) out.push({ path, message: `no workspace '${id}' is configured (workspaces: ${known})` })
  }
  for (const [i, k] of (cfg.keys ?? []).entries())
    if (k.workspace !== undefined) check(`/keys/${i}/workspace`, k.workspace)
  for (const [id, p] of Object.entries(cfg.providers ?? {}))
    for (const [i, ws] of (p.workspaces ?? []).entries()) check(`/providers/${id}/workspaces/${i}`, ws)
  for (const [name, r] of Object.entries(cfg.routes ?? {}))
    for (const [i, ws] of (r.workspaces ?? []).entries()) check(`/routes/${name}/workspaces/${i}`, ws)
  // A workspace's budget downgrades like a key's: to provider/model on a configured provider.
  const providers = Object.keys(cfg.providers ?? {})
  for (const [id, ws] of Object.entries(cfg.workspaces ?? {})) {
    const onExceed = ws.budget?.onExceed
    const downgrade = onExceed?.startsWith('downgrade:') ? onExceed.slice('downgrade:'.length) : undefined
    if (downgrade !== undefined && !providers.includes(downgrade.slice(0, downgrade.indexOf('/')))) {
      out.push({
        path: `/workspaces/${id}/budget/onExceed`,
        message: `'${downgrade}' must be provider/model with a configured provider (${providers.join(', ') || 'none configured'})`,
      })
    }
  }
  return out
}
