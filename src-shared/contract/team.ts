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

/** Bounds of what people type: an address fits RFC 5321's 254, a passphrase is long but not a body. */
const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' })
const PersonName = Type.String({ minLength: 1, maxLength: 100 })
/** At least 10 characters; Argon2id makes long passphrases cost the same, 1 024 bounds the work per attempt. */
export const PasswordSchema = Type.String({ minLength: 10, maxLength: 1024 })
const WorkspaceIds = Type.Array(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]*$', maxLength: 60 }), { maxItems: 100 })

/** POST /auth/login in team mode (solo mode takes `{ token }`). */
export const TeamLoginBodySchema = Type.Object(
  {
    email: Type.String({ maxLength: 254 }),
    password: Type.String({ maxLength: 1024 }),
    /** The authenticator's 6-digit code, for an account with TOTP. */
    totp: Type.Optional(Type.String({ maxLength: 10 })),
  },
  { additionalProperties: false },
)
export type TeamLoginBody = Static<typeof TeamLoginBodySchema>

/** POST /auth/setup: the one-time token from the link `switchyard serve` prints, and the first owner. */
export const SetupBodySchema = Type.Object(
  { token: Type.String({ maxLength: 200 }), email: Email, name: PersonName, password: PasswordSchema },
  { additionalProperties: false },
)
export type SetupBody = Static<typeof SetupBodySchema>

/** POST /admin/v1/team/enable: solo to team from Settings; the caller becomes this owner. */
export const TeamEnableBodySchema = Type.Object(
  { email: Email, name: PersonName, password: PasswordSchema },
  { additionalProperties: false },
)
export type TeamEnableBody = Static<typeof TeamEnableBodySchema>

/** GET /auth/session. */
export const AuthSessionSchema = Type.Object({
  mode: Type.Union([Type.Literal('solo'), Type.Literal('team')]),
  authenticated: Type.Boolean(),
  principal: Type.Optional(PrincipalViewSchema),
  /** What the principal's role may do (permissions.ts's ROLE_PERMISSIONS), for the renderer to hide the rest. */
  permissions: Type.Optional(Type.Array(Type.String())),
  /** The single sign-on button's label when SSO is configured. */
  sso: Type.Optional(Type.Union([Type.Object({ label: Type.String() }), Type.Null()])),
  /** Team mode without an owner yet: only the setup link gets in. */
  setupRequired: Type.Optional(Type.Boolean()),
})
export type AuthSession = Static<typeof AuthSessionSchema>

/** A person's account as the members API shows it (never its password hash or TOTP secret). */
export const MemberSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  workspaces: Type.Array(Type.String()),
  source: Type.Union([Type.Literal('local'), Type.Literal('sso')]),
  disabled: Type.Boolean(),
  /**
   * Two-factor is on. DELETE /admin/v1/team/members/:id/totp (no body, 204) turns it off for a lost authenticator
   * and ends the member's sessions: 409 `totp_disabled` when it is off (none pending either), 409 `totp_self` for
   * one's own (DELETE /admin/v1/me/totp asks for a code), 403 `owner_only` for an admin resetting an owner's.
   */
  totp: Type.Boolean(),
  createdAt: Type.String(),
  /** The last request made with one of their sessions (within a minute), or null. */
  lastSeenAt: Type.Union([Type.String(), Type.Null()]),
})
export type Member = Static<typeof MemberSchema>

/** Lists answer as every admin list does; members and service accounts are few, so one page holds them all. */
export const MemberListSchema = Type.Object({
  items: Type.Array(MemberSchema),
  total: Type.Integer(),
  nextCursor: Type.Null(),
})
export type MemberList = Static<typeof MemberListSchema>

export const MemberIdParamsSchema = Type.Object({ id: Type.String({ maxLength: 60 }) })

export const MemberCreateBodySchema = Type.Object(
  {
    email: Email,
    name: PersonName,
    role: RoleSchema,
    workspaces: Type.Optional(WorkspaceIds),
    password: PasswordSchema,
  },
  { additionalProperties: false },
)
export type MemberCreateBody = Static<typeof MemberCreateBodySchema>

export const MemberPatchBodySchema = Type.Object(
  {
    name: Type.Optional(PersonName),
    role: Type.Optional(RoleSchema),
    workspaces: Type.Optional(WorkspaceIds),
    /** A disabled account keeps its data but cannot sign in; its sessions end at once. */
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)
export type MemberPatchBody = Static<typeof MemberPatchBodySchema>

export const PasswordResetBodySchema = Type.Object({ password: PasswordSchema }, { additionalProperties: false })
export type PasswordResetBody = Static<typeof PasswordResetBodySchema>

/** Service accounts act for CI; they cannot be owners. */
export const ServiceRoleSchema = Type.Union([Type.Literal('admin'), Type.Literal('developer'), Type.Literal('viewer')])

export const ServiceAccountSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: ServiceRoleSchema,
  workspaces: Type.Array(Type.String()),
  createdAt: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
})
export type ServiceAccount = Static<typeof ServiceAccountSchema>

export const ServiceAccountListSchema = Type.Object({
  items: Type.Array(ServiceAccountSchema),
  total: Type.Integer(),
  nextCursor: Type.Null(),
})

export const ServiceAccountCreateBodySchema = Type.Object(
  { name: PersonName, role: ServiceRoleSchema, workspaces: Type.Optional(WorkspaceIds) },
  { additionalProperties: false },
)
export type ServiceAccountCreateBody = Static<typeof ServiceAccountCreateBodySchema>

/** POST /admin/v1/team/service-accounts answers the token once: only its digest is kept. */
export const ServiceAccountCreatedSchema = Type.Object({ ...ServiceAccountSchema.properties, token: Type.String() })
export type ServiceAccountCreated = Static<typeof ServiceAccountCreatedSchema>

/** GET /admin/v1/me: who the caller is, and for a person their account's fields too. */
export const MeSchema = Type.Object({
  ...PrincipalViewSchema.properties,
  email: Type.Optional(Type.String()),
  source: Type.Optional(MemberSchema.properties.source),
  totp: Type.Optional(Type.Boolean()),
  lastSeenAt: Type.Optional(MemberSchema.properties.lastSeenAt),
})
export type Me = Static<typeof MeSchema>

export const PasswordChangeBodySchema = Type.Object(
  { current: Type.String({ maxLength: 1024 }), next: PasswordSchema },
  { additionalProperties: false },
)
export type PasswordChangeBody = Static<typeof PasswordChangeBodySchema>

/** POST /admin/v1/me/totp: a new secret to enrol; it is active only once a code from it is confirmed (PUT). */
export const TotpStartSchema = Type.Object({ secret: Type.String(), uri: Type.String() })
export type TotpStart = Static<typeof TotpStartSchema>

export const TotpCodeBodySchema = Type.Object(
  { code: Type.String({ minLength: 6, maxLength: 10 }) },
  { additionalProperties: false },
)
export type TotpCodeBody = Static<typeof TotpCodeBodySchema>
