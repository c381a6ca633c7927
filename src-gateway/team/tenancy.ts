import { GatewayError } from '../core/errors.js'
import type { Principal } from './principal.js'

/**
 * The workspaces whose data a principal may read or change: undefined for everything (owners, admins and the
 * admin token), else the member's list. Rows without a workspace (keyless calls, the UI's own calls) belong to
 * no member's list, so only the undefined answer sees them.
 */
export function visibleWorkspaces(principal: Principal | undefined): readonly string[] | undefined {
  // No principal is a route outside the admin guard: nothing is visible rather than everything.
  if (principal === undefined) return []
  return principal.workspaces === 'all' ? undefined : principal.workspaces
}

/** Whether a thing of workspace `ws` (null: none) is the principal's to see. */
export function seesWorkspace(principal: Principal | undefined, ws: string | null): boolean {
  const visible = visibleWorkspaces(principal)
  return visible === undefined || (ws !== null && visible.includes(ws))
}

/** Refuses (403 workspace_forbidden) a change inside a workspace that is not the principal's. */
export function assertWorkspace(principal: Principal | undefined, ws: string): void {
  if (!seesWorkspace(principal, ws)) {
    throw new GatewayError('permission', `workspace '${ws}' is not one of yours`, { code: 'workspace_forbidden' })
  }
}
