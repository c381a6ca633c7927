import { type Static, Type } from 'typebox'
import { ListPageSchema, PageQueryFields } from './common.js'

const Text = Type.Optional(Type.String({ minLength: 1, maxLength: 200 }))

/** GET /admin/v1/audit's filters: `action` may be an area (`key`) or one action (`key.rotate`). */
export const AuditQuerySchema = Type.Object({
  action: Type.Optional(
    Type.String({ pattern: '^[a-z-]+(\\.[a-z-]+)?$', description: 'an action (`key.rotate`) or its area (`key`)' }),
  ),
  actor: Text,
  target: Text,
  since: Type.Optional(Type.String({ minLength: 1, description: 'ISO-8601 time, inclusive' })),
  until: Type.Optional(Type.String({ minLength: 1, description: 'ISO-8601 time, exclusive' })),
  q: Text,
  ...PageQueryFields,
})
export type AuditQuery = Static<typeof AuditQuerySchema>

/** One changed value: its dotted path into the audited state (`keys.ci.limits.rpm`), before and after. */
export const AuditChangeSchema = Type.Object({
  path: Type.String(),
  before: Type.Optional(Type.Unknown()),
  after: Type.Optional(Type.Unknown()),
})
export type AuditChange = Static<typeof AuditChangeSchema>

/** One recorded admin change, as GET /admin/v1/audit lists it. */
export const AuditEntrySchema = Type.Object({
  id: Type.Integer(),
  createdAt: Type.String(),
  /**
   * `admin-token` with the bearer token, `session` from the web UI signed in with it; in team mode
   * `person:<account id>` or `service:<service account id>`, and `anonymous` for a failed sign-in
   * (`auth.sign-in-failed`, whose `actorName` is the email as typed).
   */
  actor: Type.String(),
  /** The person's or service account's name when it acted (team mode). */
  actorName: Type.Optional(Type.String()),
  remoteAddress: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  /** `<area>.<verb>`, e.g. `key.rotate`, `route.update`, `config.import`, `backup.restore`. */
  action: Type.String(),
  /** What was changed: a key, provider, route or prompt name, a backup id; null for the whole config. */
  target: Type.Union([Type.String(), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
  /** Before/after per changed value, secrets masked. */
  diff: Type.Array(AuditChangeSchema),
})
export type AuditEntry = Static<typeof AuditEntrySchema>

export const AuditPageSchema = ListPageSchema(AuditEntrySchema)
