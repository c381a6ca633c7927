import { type Static, Type } from 'typebox'
import { OidcConfigSchema } from './oidc-schema.js'

/**
 * Config `auth:` (issue 21). `solo` (the default, also with no section) is one person with the install's admin
 * token; `team` turns on accounts, roles and sessions (src-gateway/team/).
 */
export const AuthConfigSchema = Type.Object(
  {
    mode: Type.Union([Type.Literal('solo'), Type.Literal('team')]),
    /** How long a team session lasts from sign-in, used or not (default 168 = a week). */
    sessionHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 90 })),
    /** Single sign-on through an OpenID provider (team mode); see oidc-schema.ts. */
    oidc: Type.Optional(OidcConfigSchema),
  },
  { additionalProperties: false },
)
export type AuthConfig = Static<typeof AuthConfigSchema>
