import { type Static, Type } from 'typebox'
import { RoleSchema } from '../../src-shared/contract/team.js'
import { WorkspaceIdSchema } from '../../src-shared/contract/workspaces.js'

/** A `${env:NAME}` or `${secret:NAME}` reference (schema.ts's SECRET_REF_PATTERN; schema.ts imports this file). */
const SECRET_REF = '^\\$\\{(env|secret):[A-Za-z0-9_.-]+\\}$'

/** A claim value as groups claims carry them (`switchyard-admins`, a Keycloak path `/eng/ml`, an Entra object id). */
const ClaimValue = Type.String({ minLength: 1, maxLength: 256 })

/**
 * `auth.oidc`: single sign-on through an OpenID provider (Keycloak, Okta, Entra ID, Google…), team mode only.
 * People who sign in are created on their first sign-in, and their role and workspaces follow the provider's
 * `claim` on every sign-in (see team/oidc/).
 */
export const OidcConfigSchema = Type.Object(
  {
    /** The issuer URL; its `/.well-known/openid-configuration` is read at the first sign-in. */
    issuer: Type.String({ pattern: '^https?://[^\\s?#]+$', maxLength: 2048 }),
    clientId: Type.String({ minLength: 1, maxLength: 512 }),
    /**
     * Always a reference (`${env:OIDC_SECRET}`, `${secret:…}`): a client secret is never written in the config.
     * Absent: a public client, protected by PKCE alone (for providers that register the gateway that way).
     */
    clientSecret: Type.Optional(Type.String({ pattern: SECRET_REF })),
    /** Space-separated scopes asked for (default `openid email profile`); `openid` is added when missing. */
    scopes: Type.Optional(Type.String({ pattern: '^[\\x21-\\x7e]+( [\\x21-\\x7e]+)*$', maxLength: 1024 })),
    /** The sign-in page's button text (default "Sign in with SSO"). */
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** The ID-token (or userinfo) claim the mappings below read (default `groups`): a string or a list of strings. */
    claim: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    /** Claim value → role; a person matching several gets the most powerful. */
    roles: Type.Optional(Type.Record(ClaimValue, RoleSchema)),
    /** Claim value → workspace id (or ids); a person gets every workspace any of their values maps to. */
    workspaces: Type.Optional(Type.Record(ClaimValue, Type.Union([WorkspaceIdSchema, Type.Array(WorkspaceIdSchema)]))),
    /** The role of a person no `roles` entry matches; absent, such a person is refused. */
    defaultRole: Type.Optional(RoleSchema),
    /**
     * The callback URL registered at the provider. Default: `<the address the browser used>/auth/oidc/callback`;
     * set it behind a TLS-terminating reverse proxy, where the gateway sees plain http.
     */
    redirectUrl: Type.Optional(Type.String({ pattern: '^https?://[^\\s?#]+$', maxLength: 2048 })),
  },
  { additionalProperties: false },
)
export type OidcConfig = Static<typeof OidcConfigSchema>
