import { type Static, Type } from 'typebox'

/**
 * Team mode's roles (issue 21), most powerful first. Owners and admins see every workspace; developers and
 * viewers see only the workspaces they are members of. What each may do: permissions.ts.
 */
export const ROLES = ['owner', 'admin', 'developer', 'viewer'] as const
export const RoleSchema = Type.Union([
  Type.Literal('owner'),
  Type.Literal('admin'),
  Type.Literal('developer'),
  Type.Literal('viewer'),
])
export type Role = (typeof ROLES)[number]

/** Who an admin call acts as, as the renderer sees it (GET /auth/session). */
export const PrincipalViewSchema = Type.Object({
  /** `admin-token`: the install's admin token (solo mode, or team mode's break-glass); `service`: a CI account. */
  kind: Type.Union([Type.Literal('admin-token'), Type.Literal('person'), Type.Literal('service')]),
  id: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  /** The workspaces whose data this principal sees; `all` for owners, admins and the admin token. */
  workspaces: Type.Union([Type.Array(Type.String()), Type.Literal('all')]),
})
export type PrincipalView = Static<typeof PrincipalViewSchema>
