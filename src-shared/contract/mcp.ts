import { type Static, Type } from 'typebox'
import { MergeFields, NoBodySchema, NoQuerySchema, OrNull } from './common.js'

/** A server's name: the config's key and the `server` part of its namespaced tools (`server__tool`). */
const ServerNameSchema = Type.String({ pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]*$', maxLength: 64 })

/** How a remote server is reached: `auto` tries Streamable HTTP and falls back to HTTP+SSE on a 4xx. */
export const McpRemoteTransportSchema = Type.Union([
  Type.Literal('auto'),
  Type.Literal('streamable-http'),
  Type.Literal('sse'),
])
export type McpRemoteTransport = Static<typeof McpRemoteTransportSchema>

/** Environment variables: name → value; a value may hold `${secret:…}`/`${env:…}` references. */
const EnvSchema = Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String({ maxLength: 8192 }))
/** Headers of a remote server's requests, values as `env`'s. */
const HeadersSchema = Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]+$' }), Type.String({ maxLength: 8192 }))

/**
 * One MCP server as the admin API takes it, in the shape of the config file's `mcp.servers.NAME`: a local one the
 * gateway starts (`command`, `args`, `env`, `cwd`) or a remote one (`url`, `transport`, `headers`). `confirm` globs
 * name the tools that need a key allowed to confirm them; `enabled: false` keeps it configured but stopped. The
 * gateway checks a change in the config it would make (which fields go with which kind, in words).
 */
export const McpServerSchema = Type.Object(
  {
    command: Type.Optional(Type.String({ minLength: 1 })),
    args: Type.Optional(Type.Array(Type.String())),
    /** Secret values: write them as `${secret:…}` or `${env:…}` (the admin API stores a typed value as a secret). */
    env: Type.Optional(EnvSchema),
    cwd: Type.Optional(Type.String({ minLength: 1 })),
    url: Type.Optional(Type.String({ pattern: '^https?://' })),
    transport: Type.Optional(McpRemoteTransportSchema),
    /** Secret values, as `env`. */
    headers: Type.Optional(HeadersSchema),
    enabled: Type.Optional(Type.Boolean()),
    confirm: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    /** A tool call's longest wait for its result, in ms (default 60 000). */
    callTimeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 3_600_000 })),
  },
  { additionalProperties: false },
)
export type McpServer = Static<typeof McpServerSchema>

/** `:name` of /admin/v1/mcp/servers/:name and its actions. */
export const McpServerParamsSchema = Type.Object({ name: Type.String({ minLength: 1 }) })
export type McpServerParams = Static<typeof McpServerParamsSchema>

/** GET /admin/v1/mcp/servers takes no query. */
export const McpServersQuerySchema = NoQuerySchema

/** POST /admin/v1/mcp/servers/:name/enable and /disable take no body. */
export const McpActionBodySchema = NoBodySchema

/**
 * POST /admin/v1/mcp/servers: a new server, named by `name`; its env and header values may be typed in plain. A
 * field given as `null` is as if left out (a form sends its emptied fields so).
 */
export const McpServerCreateBodySchema = Type.Object(
  { name: ServerNameSchema, ...MergeFields(McpServerSchema.properties) },
  { additionalProperties: false },
)
export type McpServerInput = Static<typeof McpServerCreateBodySchema>

/**
 * PUT /admin/v1/mcp/servers/:name: the fields to change (`null` removes one, one left out stays); `name`, if given,
 * must be the URL's. An env or header value sent back as the item showed it (masked) keeps the stored value.
 */
export const McpServerUpdateBodySchema = Type.Object(
  { name: Type.Optional(Type.String()), ...MergeFields(McpServerSchema.properties) },
  { additionalProperties: false },
)
export type McpServerUpdate = Static<typeof McpServerUpdateBodySchema>

/** POST /admin/v1/mcp/test: a server config not saved yet (or an edit of a saved one, by `name`). */
export const McpTestBodySchema = Type.Object(
  { name: Type.Optional(Type.String()), ...MergeFields(McpServerSchema.properties) },
  { additionalProperties: false },
)
export type McpTestBody = Static<typeof McpTestBodySchema>

/**
 * An env or header value as the admin API shows it: `masked` (`sk-…abcd`, or `…` for a short one), never the
 * value; `ref` the value as written when it is made of references (`${env:GITHUB_TOKEN}`, `Bearer ${secret:…}`).
 */
export const McpValueViewSchema = Type.Object({
  masked: Type.String(),
  source: Type.Union([Type.Literal('secret'), Type.Literal('env'), Type.Literal('plain')]),
  ref: OrNull(Type.String()),
})
export type McpValueView = Static<typeof McpValueViewSchema>

export const McpServerStateSchema = Type.Union([
  Type.Literal('disabled'),
  Type.Literal('starting'),
  Type.Literal('ready'),
  Type.Literal('restarting'),
  Type.Literal('failed'),
])
export type McpServerState = Static<typeof McpServerStateSchema>

export const McpTransportKindSchema = Type.Union([
  Type.Literal('stdio'),
  Type.Literal('streamable-http'),
  Type.Literal('sse'),
])
export type McpTransportKind = Static<typeof McpTransportKindSchema>

export const McpToolSchema = Type.Object({
  name: Type.String(),
  title: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  /** Marked by the server config's `confirm` globs: refused for keys not allowed to confirm. */
  needsConfirmation: Type.Boolean(),
})
export type McpTool = Static<typeof McpToolSchema>

export const McpPromptSchema = Type.Object({
  name: Type.String(),
  title: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  arguments: Type.Optional(
    Type.Array(
      Type.Object({
        name: Type.String(),
        description: Type.Optional(Type.String()),
        required: Type.Optional(Type.Boolean()),
      }),
    ),
  ),
})
export type McpPrompt = Static<typeof McpPromptSchema>

export const McpResourceSchema = Type.Object({
  uri: Type.String(),
  name: Type.Optional(Type.String()),
  title: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  mimeType: Type.Optional(Type.String()),
})
export type McpResource = Static<typeof McpResourceSchema>

const ServerInfoSchema = Type.Object({ name: Type.String(), version: Type.String() })

/** What the hub knows of a running (or stopped) server: its state, what it offers, and why it failed. */
export const McpServerStatusSchema = Type.Object({
  state: McpServerStateSchema,
  transport: McpTransportKindSchema,
  tools: Type.Array(McpToolSchema),
  prompts: Type.Array(McpPromptSchema),
  resources: Type.Array(McpResourceSchema),
  /** Newest last, at most 20, secrets scrubbed; `at` in epoch ms. */
  errors: Type.Array(Type.Object({ at: Type.Number(), message: Type.String() })),
  /** A local server's last stderr lines (at most 200), secrets scrubbed. */
  stderrTail: Type.Array(Type.String()),
  restarts: Type.Integer({ minimum: 0 }),
  connectedAt: OrNull(Type.Number()),
  serverInfo: OrNull(ServerInfoSchema),
})
export type McpServerStatus = Static<typeof McpServerStatusSchema>

/**
 * One server of GET /admin/v1/mcp/servers (and of POST's, PUT's and the actions' answers): its config as written,
 * env and header values masked, and its live status.
 */
export const McpServerItemSchema = Type.Object({
  name: Type.String(),
  kind: Type.Union([Type.Literal('stdio'), Type.Literal('remote')]),
  enabled: Type.Boolean(),
  command: OrNull(Type.String()),
  args: Type.Array(Type.String()),
  cwd: OrNull(Type.String()),
  env: Type.Record(Type.String(), McpValueViewSchema),
  /** As written; a plain userinfo or key-like query parameter masked. */
  url: OrNull(Type.String()),
  transport: OrNull(McpRemoteTransportSchema),
  headers: Type.Record(Type.String(), McpValueViewSchema),
  confirm: Type.Array(Type.String()),
  callTimeoutMs: OrNull(Type.Integer()),
  status: McpServerStatusSchema,
})
export type McpServerItem = Static<typeof McpServerItemSchema>

export const McpServerListSchema = Type.Object({
  items: Type.Array(McpServerItemSchema),
  total: Type.Integer(),
  nextCursor: Type.Null(),
})
export type McpServerList = Static<typeof McpServerListSchema>

/** POST /admin/v1/mcp/test: what the server offered, or why it could not be reached (secrets scrubbed). */
export const McpTestResultSchema = Type.Union([
  Type.Object({
    ok: Type.Literal(true),
    latencyMs: Type.Number(),
    tools: Type.Array(McpToolSchema),
    prompts: Type.Array(McpPromptSchema),
    resources: Type.Array(McpResourceSchema),
    serverInfo: OrNull(ServerInfoSchema),
  }),
  Type.Object({ ok: Type.Literal(false), latencyMs: Type.Number(), error: Type.String() }),
])
export type McpTestResult = Static<typeof McpTestResultSchema>
