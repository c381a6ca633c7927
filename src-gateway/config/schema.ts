import { type Static, Type } from 'typebox'
import { KeySchema } from '../../src-shared/contract/keys.js'
import { ProviderSchema } from '../../src-shared/contract/providers.js'
import { RouteSchema, RouteTargetSchema } from '../../src-shared/contract/routes.js'
import { LogsSettingsSchema } from '../../src-shared/contract/settings.js'
import { WorkspacesConfigSchema } from '../../src-shared/contract/workspaces.js'
import { POLICY_KEY_FIELDS, POLICY_ROUTE_FIELDS } from '../policies/registry.js'
import { PROVIDER_SETTINGS, PROVIDER_TYPES, type ProviderType } from '../providers/registry.js'
import { AuthConfigSchema } from './auth-schema.js'
import { CacheConfigSchema } from './policies/cache.js'
import type { GuardrailsConfig } from './policies/guardrails.js'
import { RedactionConfigSchema } from './policies/redaction.js'

/** Guardrail checks are a union per stage; their own validator (configProblems) reports them precisely. */
const GuardrailsSection = Type.Unsafe<GuardrailsConfig>(Type.Object({}, { additionalProperties: true }))

/**
 * The admin contract's provider, its `type` narrowed to the registry's types (an enum, not a union of literals:
 * that fails once per type, and the checker's error limit then hides the provider's other faults) and with
 * every type's own settings the registry states.
 */
export const ProviderConfigSchema = Type.Object(
  {
    ...ProviderSchema.properties,
    type: Type.Unsafe<ProviderType>(Type.Enum(PROVIDER_TYPES)),
    // Spread untyped: the adapter reads them from its context, so ProviderConfig need not name them.
    ...(PROVIDER_SETTINGS as object),
  },
  { additionalProperties: false },
)

export { RouteTargetSchema }

/** The admin contract's route, with its guardrails typed by their own schemas (config/policies/guardrails.ts). */
export const RouteConfigSchema = Type.Object(
  // The registered policies' fields (`maxParallel`…) are spread untyped: each policy reads its own.
  { ...RouteSchema.properties, guardrails: Type.Optional(GuardrailsSection), ...(POLICY_ROUTE_FIELDS as object) },
  { additionalProperties: false },
)

/** A model's price in USD per 1M tokens; cache writes are charged as input. */
export const PriceSchema = Type.Object(
  {
    input: Type.Number({ minimum: 0 }),
    output: Type.Number({ minimum: 0 }),
    /** Prompt tokens read from the provider's cache; `input` when absent. */
    cachedInput: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
)

export const LogsConfigSchema = LogsSettingsSchema

/** The admin contract's client key; the registered policies' key settings join it here. */
export const VirtualKeySchema = Type.Object(
  // The registered policies' fields (`maxParallel`…) are spread untyped: each policy reads its own.
  { ...KeySchema.properties, ...(POLICY_KEY_FIELDS as object) },
  { additionalProperties: false },
)

/** A `${env:NAME}` or `${secret:NAME}` reference: where a secret must not be written in plain text. */
export const SECRET_REF_PATTERN = '^\\$\\{(env|secret):[A-Za-z0-9_.-]+\\}$'

const DiscoveryPort = Type.Integer({ minimum: 0, maximum: 65535 })

export const DiscoveryConfigSchema = Type.Object(
  {
    /** Probe for local model servers at start; default true. */
    enabled: Type.Optional(Type.Boolean()),
    /** Ports probed on 127.0.0.1 in place of each server's default; 0 skips one. */
    ports: Type.Optional(
      Type.Object(
        {
          ollama: Type.Optional(DiscoveryPort),
          llamacpp: Type.Optional(DiscoveryPort),
          lmstudio: Type.Optional(DiscoveryPort),
          jan: Type.Optional(DiscoveryPort),
          vllm: Type.Optional(DiscoveryPort),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)

export const AlertsConfigSchema = Type.Object(
  {
    /** Each alert is POSTed here as JSON; best written as a reference (`${env:NAME}`): such URLs often carry a token. */
    webhook: Type.Optional(Type.String({ pattern: '^(https?://\\S+|\\$\\{(env|secret):[A-Za-z0-9_.-]+\\})$' })),
    /** Cost anomaly: this hour's spend above this many times the trailing 24 h hourly average (default 3). */
    costAnomalyFactor: Type.Optional(Type.Number({ exclusiveMinimum: 1 })),
    /** Below this hourly spend in USD no cost anomaly is raised (default 1). */
    minHourlyUsd: Type.Optional(Type.Number({ minimum: 0 })),
    /** Traffic anomaly: a key's requests in the window above this many times its trailing norm (default 5). */
    trafficAnomalyFactor: Type.Optional(Type.Number({ exclusiveMinimum: 1 })),
    /** The traffic window in minutes (default 5); the norm is the average window over the hour before it. */
    trafficWindowMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 })),
    /** Below this many requests in the window a key is never flagged (default 20). */
    minTrafficRequests: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
)

/**
 * OpenTelemetry export (off unless `otlp.endpoint` is set): one span per call and per upstream attempt, and
 * the gateway's metrics, over OTLP/HTTP (JSON) following the GenAI semantic conventions (see telemetry/).
 */
export const TelemetryConfigSchema = Type.Object(
  {
    otlp: Type.Optional(
      Type.Object(
        {
          /** The collector's base URL; `/v1/traces` and `/v1/metrics` are appended (http://127.0.0.1:4318). */
          endpoint: Type.String({ pattern: '^(https?://\\S+|\\$\\{(env|secret):[A-Za-z0-9_.-]+\\})$' }),
          /** Sent with every export (an API key or `authorization`): credentials, kept in the secret store. */
          headers: Type.Optional(
            Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]+$' }), Type.String(), { additionalProperties: false }),
          ),
          /** The `service.name` resource attribute (default `switchyard`). */
          serviceName: Type.Optional(Type.String({ minLength: 1 })),
          /** Export spans (default true). */
          traces: Type.Optional(Type.Boolean()),
          /** Export metrics (default true). */
          metrics: Type.Optional(Type.Boolean()),
          /** How often metrics are exported, in ms (default 60 000). */
          metricIntervalMs: Type.Optional(Type.Integer({ minimum: 1000 })),
          /** Put the (redacted, secret-scrubbed) prompts and answers on spans (default false). */
          captureContent: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)

const FailMode = Type.Unsafe<'open' | 'closed'>(Type.Enum(['open', 'closed']))

/** `redis://` or `rediss://` (TLS), or a reference to one: the URL may carry a password. */
const REDIS_URL_PATTERN = '^(rediss?://\\S+|\\$\\{(env|secret):[A-Za-z0-9_.-]+\\})$'

/**
 * Shared state of several instances (see shared-state/): limits, budgets, the cache and config through one
 * Redis. Absent, everything stays in this process. `redis: redis://…` is the short form of `{ url }`.
 */
export const RedisConfigSchema = Type.Union([
  Type.String({ pattern: REDIS_URL_PATTERN }),
  Type.Object(
    {
      /** A credential field: its password is kept in the secret store, `${env:…}`/`${secret:…}` resolve here. */
      url: Type.String({ pattern: REDIS_URL_PATTERN }),
      /** Put before every key (default `switchyard:`), so two deployments can share one Redis. */
      keyPrefix: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:{}-]+$' })),
      /** What a policy does while Redis cannot be reached: `closed` refuses calls (503), `open` lets them through. */
      onUnavailable: Type.Optional(
        Type.Object(
          { limits: Type.Optional(FailMode), budgets: Type.Optional(FailMode) },
          { additionalProperties: false },
        ),
      ),
    },
    { additionalProperties: false },
  ),
])

/** `postgres://` or `postgresql://`, or a reference to one: the URL may carry a password. */
const DATABASE_URL_PATTERN = '^(postgres(ql)?://\\S+|\\$\\{(env|secret):[A-Za-z0-9_.-]+\\})$'

/**
 * The Postgres several instances share for the request log and the dashboards built on it (store/pg/). Absent,
 * the log is the data folder's SQLite. A credential field like `redis.url`; read at start.
 */
export const DatabaseConfigSchema = Type.String({ pattern: DATABASE_URL_PATTERN, maxLength: 2048 })

/** An MCP server's name: a provider-id-like word, the prefix of its tools' namespaced names (`NAME__tool`). */
export const MCP_SERVER_NAME_PATTERN = '^[a-zA-Z0-9][a-zA-Z0-9_.-]*$'

/**
 * One upstream MCP server: a local program spoken to over stdio (`command`), or a remote one (`url`). Which
 * fields go with which kind is checked in validate.ts, where the problem can be told in words.
 */
export const McpServerConfigSchema = Type.Object(
  {
    /** The program to run (stdio); `args` as given, never through a shell. Secret references stay literal here. */
    command: Type.Optional(Type.String({ minLength: 1 })),
    args: Type.Optional(Type.Array(Type.String())),
    /**
     * Variables for the program, over a minimal inherited set (PATH, HOME…: not the gateway's own environment).
     * Credentials: values go to the secret store, and `${secret:…}`/`${env:…}` resolve here.
     */
    env: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String())),
    /** The program's working folder. */
    cwd: Type.Optional(Type.String({ minLength: 1 })),
    /** A remote server's endpoint (http or https). */
    url: Type.Optional(Type.String({ pattern: '^https?://\\S+$' })),
    /** `auto` (default): Streamable HTTP, falling back to HTTP+SSE when the server answers 4xx. */
    transport: Type.Optional(
      Type.Unsafe<'auto' | 'streamable-http' | 'sse'>(Type.Enum(['auto', 'streamable-http', 'sse'])),
    ),
    /** Sent with every request to a remote server; credentials like `env` values. */
    headers: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]+$' }), Type.String())),
    /** Default true; a disabled server is not started and offers nothing. */
    enabled: Type.Optional(Type.Boolean()),
    /** Globs of this server's tool names (`write_*`) that only keys allowed to confirm may call. */
    confirm: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    /** A tool call's longest wait for its result, in ms (default 60 000); progress does not extend it. */
    callTimeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 3_600_000 })),
  },
  { additionalProperties: false },
)

/** The MCP hub's upstream servers (see mcp/hub.ts). */
export const McpConfigSchema = Type.Object(
  { servers: Type.Optional(Type.Record(Type.String({ pattern: MCP_SERVER_NAME_PATTERN }), McpServerConfigSchema)) },
  { additionalProperties: false },
)

export const ConfigSchema = Type.Object(
  {
    server: Type.Optional(
      Type.Object(
        {
          /** Largest accepted request body, in MB (images are large). */
          bodyLimitMb: Type.Optional(Type.Number({ minimum: 0.001, maximum: 1024 })),
          /**
           * The admin token /admin requires (a reference, never the token itself). Without it (and without
           * SWITCHYARD_ADMIN_TOKEN) one is generated on first start and kept in DATA_DIR/admin-token.
           */
          adminToken: Type.Optional(Type.String({ pattern: SECRET_REF_PATTERN })),
          /**
           * Host names (optionally `name:port`) requests may address besides localhost, `*.localhost`,
           * 127.0.0.0/8 and [::1]; anything else gets 403, which stops DNS-rebinding pages. Behind a
           * reverse proxy or on a LAN address, list the name clients use (`gateway.example.com`,
           * `192.168.1.20`). Pages served from these names may also make state-changing calls.
           */
          allowedHosts: Type.Optional(Type.Array(Type.String({ pattern: '^[^\\s/@]+$' }))),
          /** Open connections one client address may hold when listening beyond loopback (default 64). */
          maxConnectionsPerIp: Type.Optional(Type.Integer({ minimum: 1 })),
          /** Serve HTTPS with this certificate and private key (PEM files; relative paths from the config file). */
          tls: Type.Optional(
            Type.Object(
              { cert: Type.String({ minLength: 1 }), key: Type.String({ minLength: 1 }) },
              { additionalProperties: false },
            ),
          ),
          /**
           * On shutdown, how long calls in flight get to finish before the rest are ended with an error
           * event in their caller's format (default 10 s).
           */
          shutdownGraceMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000 })),
          /** Circuit breaker settings shared by every target. */
          breaker: Type.Optional(
            Type.Object(
              {
                failureThreshold: Type.Optional(Type.Integer({ minimum: 1 })),
                errorRate: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
                minRequests: Type.Optional(Type.Integer({ minimum: 1 })),
                windowMs: Type.Optional(Type.Integer({ minimum: 100 })),
                cooldownMs: Type.Optional(Type.Integer({ minimum: 1 })),
                /** A streamed half-open probe's longest wait for its first byte (default 10 s). */
                probeFirstByteMs: Type.Optional(Type.Integer({ minimum: 1 })),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    providers: Type.Optional(
      Type.Record(Type.String({ pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]*$' }), ProviderConfigSchema),
    ),
    routes: Type.Optional(Type.Record(Type.String(), RouteConfigSchema)),
    /** Prices keyed `provider/model` or a bare model name; they win over local providers' zero and the bundled table. */
    pricing: Type.Optional(Type.Record(Type.String(), PriceSchema)),
    logs: Type.Optional(LogsConfigSchema),
    discovery: Type.Optional(DiscoveryConfigSchema),
    keys: Type.Optional(Type.Array(VirtualKeySchema)),
    alerts: Type.Optional(AlertsConfigSchema),
    telemetry: Type.Optional(TelemetryConfigSchema),
    mcp: Type.Optional(McpConfigSchema),
    /** Solo (one person, the admin token) or team (accounts, roles, sessions); see auth-schema.ts. */
    auth: Type.Optional(AuthConfigSchema),
    /** Workspaces keys belong to, by id (`default` exists without being listed). */
    workspaces: Type.Optional(WorkspacesConfigSchema),
    /** Redis shared by several instances; see RedisConfigSchema. */
    redis: Type.Optional(RedisConfigSchema),
    /** Postgres for the request log of several instances; see DatabaseConfigSchema. */
    database: Type.Optional(DatabaseConfigSchema),
    // Sections owned by features that read them from the raw config; validated there.
    cache: Type.Optional(CacheConfigSchema),
    redaction: Type.Optional(RedactionConfigSchema),
    /** Checks for every call; a route's own `guardrails` replace them. */
    guardrails: Type.Optional(GuardrailsSection),
    prompts: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
)

export type ProviderConfig = Static<typeof ProviderConfigSchema>
export type RouteConfig = Static<typeof RouteConfigSchema>
export type RouteTarget = Static<typeof RouteTargetSchema>
export type GatewayConfig = Static<typeof ConfigSchema>
export type VirtualKeyConfig = Static<typeof VirtualKeySchema>
export type DiscoveryConfig = Static<typeof DiscoveryConfigSchema>
export type AlertsConfig = Static<typeof AlertsConfigSchema>
export type TelemetryConfig = Static<typeof TelemetryConfigSchema>
export type McpServerConfig = Static<typeof McpServerConfigSchema>
export type RedisConfig = Static<typeof RedisConfigSchema>
