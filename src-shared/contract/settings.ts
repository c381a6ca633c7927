import { type Static, Type } from 'typebox'
import { MergeFields, NoQuerySchema } from './common.js'

/** GET /admin/v1/settings and GET /admin/v1/gateway (the pause switch) take no query. */
export const SettingsQuerySchema = NoQuerySchema

/** The config file's `logs:` section: retention and body capture of the request log. */
export const LogsSettingsSchema = Type.Object(
  {
    /** Rows older than this are deleted in the background. */
    maxAgeDays: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    /** Over this database size the oldest rows are deleted. */
    maxDbMb: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    /** Store request and response bodies (secrets stripped) with each row; default true. */
    storeBodies: Type.Optional(Type.Boolean()),
    /** Encrypt stored bodies with AES-256-GCM (key: SWITCHYARD_BODY_KEY or the OS keychain); default false. */
    encryptBodies: Type.Optional(Type.Boolean()),
    /** Most rows held in memory while the database refuses writes (disk full); default 50 000. */
    maxQueueRows: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
)
export type LogsSettings = Static<typeof LogsSettingsSchema>

/** PUT /admin/v1/settings: the log settings to change; `null` goes back to a setting's default. */
export const SettingsBodySchema = Type.Object(
  { logs: Type.Optional(Type.Object(MergeFields(LogsSettingsSchema.properties), { additionalProperties: false })) },
  { additionalProperties: false },
)
export type SettingsBody = Static<typeof SettingsBodySchema>

/** GET /admin/v1/settings (and PUT's answer): where the gateway runs and keeps its data, and log retention. */
export const GatewaySettingsSchema = Type.Object({
  host: Type.Union([Type.String(), Type.Null()]),
  port: Type.Union([Type.Integer(), Type.Null()]),
  dataDir: Type.Union([Type.String(), Type.Null()]),
  configPath: Type.Union([Type.String(), Type.Null()]),
  /** `encryptBodies`: whether stored bodies are sealed, as the gateway runs (set in the config; read at start). */
  logs: Type.Object({
    maxAgeDays: Type.Union([Type.Number(), Type.Null()]),
    maxDbMb: Type.Union([Type.Number(), Type.Null()]),
    storeBodies: Type.Boolean(),
    encryptBodies: Type.Optional(Type.Boolean()),
  }),
  secretsPersisted: Type.Boolean(),
  /** Where keys entered in the UI are kept (the gateway's SecretStore kinds). */
  secretStore: Type.Union([Type.Literal('os-keychain'), Type.Literal('encrypted-file'), Type.Literal('memory')]),
  /** Settings changed since start that take effect at the next start, e.g. `logs.maxAgeDays`. */
  restartRequired: Type.Optional(Type.Array(Type.String())),
  /** The Redis several instances share (config `redis`), as the gateway runs; absent without one. */
  redis: Type.Optional(
    Type.Object({
      /** As written, its password masked (a reference stays a reference). */
      url: Type.String(),
      keyPrefix: Type.String(),
      onUnavailable: Type.Object({
        limits: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
        budgets: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
      }),
      state: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
    }),
  ),
  /** The Postgres of the shared request log (config `database` or `serve --database`); absent without one. */
  database: Type.Optional(
    Type.Object({
      /** Its password masked (a reference stays a reference). */
      url: Type.String(),
      state: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
    }),
  ),
})
export type GatewaySettings = Static<typeof GatewaySettingsSchema>

/** PUT /admin/v1/gateway: pause (model calls get 503; the UI and admin API keep working) or resume. */
export const PauseBodySchema = Type.Object({ paused: Type.Boolean() }, { additionalProperties: false })
export type PauseBody = Static<typeof PauseBodySchema>
