import type { FastifyRequest } from 'fastify'
import { DEFAULT_WORKSPACE, WORKSPACE_ID_PATTERN } from '../../src-shared/contract/workspaces.js'
import type { GatewayConfig } from '../config/schema.js'
import { workspaceIds } from '../config/workspaces.js'
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

/** The header a client names the workspace it acts in with (the renderer's workspace switcher sends it). */
export const WORKSPACE_HEADER = 'x-switchyard-workspace'

const WORKSPACE_ID = new RegExp(WORKSPACE_ID_PATTERN)
/** WorkspaceIdSchema's bound, checked before the pattern so a huge header costs nothing. */
const WORKSPACE_ID_MAX_LENGTH = 64

/**
 * The workspace a request acts in: `named` (a body's `workspace` field) when given, else the
 * `x-switchyard-workspace` header, else the principal's first workspace (sorted) that the config has, or `default`
 * for one who sees all. A malformed or unconfigured id is 400 `invalid_workspace`; one that is not the principal's
 * is 403 `workspace_forbidden`, and so is a member with no configured workspace at all (there is nowhere they may
 * put things).
 */
export function requestWorkspace(
  req: Pick<FastifyRequest, 'headers' | 'principal'>,
  cfg: Pick<GatewayConfig, 'workspaces'>,
  named?: string,
): string {
  const configured = workspaceIds(cfg)
  const header = req.headers[WORKSPACE_HEADER]
  const asked = named ?? header
  if (asked === undefined) {
    const visible = visibleWorkspaces(req.principal)
    if (visible === undefined) return DEFAULT_WORKSPACE
    const first = [...visible].sort().find((ws) => configured.has(ws))
    if (first === undefined) {
      throw new GatewayError('permission', 'you belong to no configured workspace', { code: 'workspace_forbidden' })
    }
    return first
  }
  const param = named === undefined ? WORKSPACE_HEADER : 'workspace'
  // A repeated header arrives as an array: refuse it rather than pick one.
  if (typeof asked !== 'string' || asked.length > WORKSPACE_ID_MAX_LENGTH || !WORKSPACE_ID.test(asked)) {
    throw new GatewayError('invalid_request', `${param} must be a workspace id`, { code: 'invalid_workspace', param })
  }
  if (!configured.has(asked)) {
    throw new GatewayError('invalid_request', `no workspace '${asked}' is configured`, {
      code: 'invalid_workspace',
      param,
    })
  }
  assertWorkspace(req.principal, asked)
  return asked
}
