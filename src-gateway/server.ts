import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { Alerts } from './alerts/alerts.js'
import { registerAdminApi } from './api/admin/index.js'
import { decoratePauseSwitch, refuseWhilePaused } from './api/admin/pause-switch.js'
import { registerAnthropicRoutes } from './api/anthropic/routes.js'
import { registerCors } from './api/cors.js'
import { AdminAccess } from './api/edge/admin-access.js'
import { adminTokenOf, storedAdminToken } from './api/edge/admin-token.js'
import { registerAuthRoutes } from './api/edge/auth-routes.js'
import { capConnectionsPerIp, DEFAULT_MAX_CONNECTIONS_PER_IP } from './api/edge/connection-cap.js'
import { isLoopbackAddress, registerEdgeGuard } from './api/edge/host-check.js'
import { Sessions } from './api/edge/sessions.js'
import { webUiScope } from './api/edge/web-ui.js'
import { refuseCallsWhileClosing, registerErrorHandling } from './api/error-handler.js'
import { allBackends, registerHealth } from './api/health.js'
import { registerMetrics } from './api/metrics.js'
import { registerRootProbe } from './api/ollama/root-probe.js'
import { registerOllamaRoutes } from './api/ollama/routes.js'
import { registerOpenAIRoutes } from './api/openai/routes.js'
import { registerOpenApi } from './api/openapi.js'
import { normalisePath } from './api/path-normalise.js'
import { openPromptLibrary, registerPromptRunRoutes } from './api/prompts/routes.js'
import { registerResponsesRoutes } from './api/responses/routes.js'
import { queuedAuditStore } from './audit/audit-queue.js'
import { sqliteAuditStore } from './audit/audit-store.js'
import { ConfigError, type LoadedConfig } from './config/load.js'
import { defaultSecretStore, type SecretStore } from './config/secrets.js'
import { SharedConfig, sharedConfigProblem } from './config/shared-config.js'
import { redisConfigBackend } from './config/shared-config-redis.js'
import { ConfigStore } from './config/store.js'
import { DEFAULT_SHUTDOWN_GRACE_MS } from './core/in-flight.js'
import { parseJsonBody } from './core/json-body.js'
import type { LogSink } from './core/log-event.js'
import { requestIdFactory } from './core/request-id.js'
import { type ContextOptions, createGatewayContext, type GatewayContext } from './gateway-context.js'
import { registerMcpEndpoint } from './mcp/endpoint.js'
import { McpHub } from './mcp/hub.js'
import { resolveMcpServer } from './mcp/resolve.js'
import { webRoot as defaultWebRoot } from './paths.js'
import { registerKeyAuth } from './policies/auth-hook.js'
import { ResponseCache } from './policies/cache/store.js'
import { Policies } from './policies/policies.js'
import { renderPolicyMetrics } from './policies/registry.js'
import { createRequestLog, type LogBackend, type RequestLog } from './request-log.js'
import { sharedStateLifecycle } from './shared-state/lifecycle.js'
import { redisSettings } from './shared-state/settings.js'
import { bodyCipherFor } from './store/body-cipher.js'
import { closeDatabase, type Db, openDatabase } from './store/db.js'
import { sqliteLogStore } from './store/log-store.js'
import { pgAlertStore } from './store/pg/alert-store.js'
import { pgAuditStore } from './store/pg/audit-store.js'
import { pgConfigBackend } from './store/pg/config-store.js'
import { type PgLifecycle, pgLifecycle } from './store/pg/lifecycle.js'
import { pgLogStore } from './store/pg/log-store.js'
import { createPgLogWriter } from './store/pg/log-writer.js'
import { startPgMaintenance } from './store/pg/maintenance.js'
import { type ReportLimits, ReportService } from './store/report-service.js'
import { Team } from './team/team.js'
import { gatewayTelemetry } from './telemetry/gateway-telemetry.js'
import { readTlsFiles } from './tls.js'

export interface GatewayDeps {
  /** Folder with the built web UI to serve at `/`; false serves none. */
  webRoot?: string | false
  /** Folder for the database and other state; without one, logs stay in memory. */
  dataDir?: string
  /** Where log events go; defaults to the database's batched writer (or memory without a data dir). */
  sink?: LogSink
  /** Clock, randomness and sleep for deterministic tests. */
  context?: Omit<ContextOptions, 'priceBook'>
  logger?: FastifyServerOptions['logger']
  /** The file `config` was read from; admin changes are written back there (see config/store.ts). */
  configPath?: string
  /** Where `${secret:…}` values live; defaults to the data dir's encrypted file (see defaultSecretStore), or memory. */
  secrets?: SecretStore
  /** The desktop app's OS-keychain store for the log body key (see store/body-cipher.ts). */
  bodyKeys?: SecretStore
  /**
   * `serve --no-log`: the data dir still holds the config, secrets and admin token, but no database is
   * opened there: calls are not logged, and what the database keeps (spend, prompts, alerts) is in memory.
   */
  noDatabase?: boolean
  /** Bounds of the report worker (see store/report-service.ts); tests make them small. */
  reportLimits?: ReportLimits
  /** `serve --database URL`: the Postgres of the shared request log; wins over the config's `database`. */
  database?: string
  /**
   * `serve --workers`: this gateway does not listen itself; the primary process listening on `host` hands it
   * connections, and spends the sign-in codes it printed.
   */
  worker?: { host: string; redeemCode(code: string): Promise<boolean> }
}

declare module 'fastify' {
  interface FastifyInstance {
    gatewayConfig: LoadedConfig
    gateway: GatewayContext
    db: Db | undefined
    /** Runs stats and log queries off the request thread; present when `db` is. */
    reports: ReportService | undefined
    startedAt: number
    requestLog: RequestLog
    /** The admin token in force (see api/edge/admin-token.ts). Never log or print it. */
    readonly adminToken: string
    /** A one-time code for `/auth/login?code=…`, the sign-in link `switchyard serve` prints. */
    createLoginCode(): string
    /** The upstream MCP servers (config `mcp.servers`), kept connected; see mcp/hub.ts. */
    mcpHub: McpHub
    /** The Postgres of the shared request log (config `database` or `serve --database`); undefined without one. */
    logDatabase: { url: string; fromFlag: boolean; available(): boolean } | undefined
  }
}

const DEFAULT_BODY_LIMIT_MB = 20
/**
 * Node's requestTimeout bounds how long a client may take to send its request (headers and body), not
 * the answer, so long streams are unaffected; two minutes fits a 20 MB image body on a slow link and
 * stops a client that trickles a body forever.
 */
const REQUEST_TIMEOUT_MS = 120_000
/**
 * A socket with no bytes either way for this long is closed. Generous, because a non-streamed call to
 * a slow local model sends nothing until its answer is complete.
 */
const CONNECTION_TIMEOUT_MS = 600_000

/** `server.allowedHosts`, lowercased as Host headers are compared. */
const hostSet = (config: LoadedConfig): ReadonlySet<string> =>
  new Set((config.resolved.server?.allowedHosts ?? []).map((h) => h.toLowerCase()))

/**
 * Builds the gateway as a Fastify instance without listening. Electron main, the headless CLI and the
 * tests all call this; `listen` is the caller's choice.
 */
export function buildGateway(initialConfig: LoadedConfig, deps: GatewayDeps = {}): FastifyInstance {
  const configStore = new ConfigStore(initialConfig, {
    configPath: deps.configPath,
    dataDir: deps.dataDir,
    secrets: deps.secrets ?? defaultSecretStore(deps.dataDir, initialConfig.env),
  })
  const config = configStore.current
  // The config the instances of one Postgres or Redis share is sealed and authenticated under SWITCHYARD_SECRET_KEY:
  // without it, the start stops before anything is opened (see config/shared-config.ts).
  const sharedConfigProblemAtStart =
    !deps.noDatabase && (deps.database ?? config.resolved.database) !== undefined
      ? sharedConfigProblem(config.env, 'database')
      : config.raw.redis === undefined
        ? undefined
        : sharedConfigProblem(config.env)
  if (sharedConfigProblemAtStart) throw new ConfigError(`cannot start: ${sharedConfigProblemAtStart}`)
  const bodyLimitMb = config.resolved.server?.bodyLimitMb ?? DEFAULT_BODY_LIMIT_MB
  // HTTPS is decided when the server object is made: Fastify cannot switch it later.
  const tls = config.resolved.server?.tls
  const https = tls ? readTlsFiles(tls, deps.configPath) : null
  const app = Fastify({
    https,
    logger: deps.logger ?? false,
    bodyLimit: Math.round(bodyLimitMb * 1024 * 1024),
    genReqId: requestIdFactory(),
    // Clients such as Claude Code call `/v1/messages?beta=true`, others add a trailing slash or `//`.
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    // Keep idle client connections longer than typical client pools do, so keep-alive sticks.
    keepAliveTimeout: 65_000,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    rewriteUrl: (req) => normalisePath(req.url ?? '/'),
    // Calls arriving while the gateway closes get a 503 in their own format (refuseCallsWhileClosing).
    return503OnClosing: false,
  })
  app.decorate('gatewayConfig', config)
  configStore.onApply((next) => {
    app.gatewayConfig = next
  })
  app.decorate('startedAt', Date.now())

  // First of all hooks, before static files and every scope: the Host and Origin checks.
  let allowedHosts = hostSet(config)
  configStore.onApply((next) => {
    allowedHosts = hostSet(next)
  })
  registerEdgeGuard(app, () => allowedHosts)

  // Whether the server listens beyond loopback, decided from the bound address: it holds whoever calls `listen`.
  let offLoopback = deps.worker !== undefined && !isLoopbackAddress(deps.worker.host)
  app.server.on('listening', () => {
    const addr = app.server.address()
    offLoopback = addr !== null && typeof addr === 'object' && !isLoopbackAddress(addr.address)
  })
  capConnectionsPerIp(
    app.server,
    () => app.gatewayConfig.resolved.server?.maxConnectionsPerIp ?? DEFAULT_MAX_CONNECTIONS_PER_IP,
    () => offLoopback,
  )

  // The stored token is read (or made) only when no configured one is in force, and then at start: the
  // user finds it in the data folder before the first call.
  let stored: string | undefined
  const storedToken = () => {
    stored ??= storedAdminToken(deps.dataDir)
    return stored
  }
  // Team mode's accounts live in the database, opened below: the team reaches it only when a request needs it.
  const team = new Team({
    config: () => app.gatewayConfig,
    db: () => db,
    clock: deps.context?.clock,
    secure: https !== null,
    secrets: () => configStore.secrets,
    auditStore: () => auditStore,
    // With `database`, team accounts and access requests are every instance's (store/pg/team-store.ts).
    postgres: () =>
      postgres && {
        lifecycle: postgres,
        notices: () => postgres.notifier,
        passphrase: config.env.SWITCHYARD_SECRET_KEY,
      },
    // With `redis`, sign-in failures are counted across instances (team/login-limits-shared.ts).
    shared: () => gw.shared,
  })
  configStore.onApply((next) => {
    team
      .forgetRemovedWorkspaces(next)
      .catch((err: Error) =>
        process.emitWarning(`removed workspaces could not be taken out of team accounts: ${err.message}`),
      )
  })
  app.decorate('team', team)
  const admin = new AdminAccess(
    () => adminTokenOf(app.gatewayConfig, storedToken),
    new Sessions(deps.context?.clock, deps.worker),
    team,
  )
  admin.token()
  app.decorate('adminToken', { getter: () => admin.token() })
  app.decorate('createLoginCode', () => admin.sessions.createCode())

  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseJsonBody)

  // Before the database opens: a missing body key stops the start with nothing left open.
  const dbDir = deps.noDatabase ? undefined : deps.dataDir
  // Postgres for the request log (read at start like Redis; `pg` is loaded only then): with it, rows, search,
  // rollups, dashboards and retention are the instances' shared log, and the data folder's SQLite keeps the rest.
  const databaseUrl = deps.noDatabase ? undefined : (deps.database ?? config.resolved.database)
  const bodyCipher =
    dbDir || databaseUrl !== undefined
      ? bodyCipherFor(config.resolved.logs?.encryptBodies ?? false, { env: config.env, secrets: deps.bodyKeys })
      : undefined
  const db = dbDir ? openDatabase(dbDir) : undefined
  const clock = deps.context?.clock ?? Date.now
  // With `database`, alerts and the audit trail are every instance's, in the shared Postgres; else the data folder's.
  // The alert store reads the lifecycle when used: the lifecycle reports its outages as alerts, so it comes second.
  const alerts: Alerts = new Alerts(config.resolved, {
    store: databaseUrl === undefined ? undefined : pgAlertStore(() => postgres),
    db,
    clock,
  })
  const postgres: PgLifecycle | undefined =
    databaseUrl === undefined ? undefined : pgLifecycle(databaseUrl, alerts, clock)
  // With `database`, entries of changes made while Postgres is down wait in memory and are stored when it is back.
  const pgAudit = postgres && queuedAuditStore(pgAuditStore(postgres))
  const auditStore = pgAudit ?? (db ? sqliteAuditStore(db) : undefined)
  const pgBackend: LogBackend | undefined = postgres && {
    writer: (options) => createPgLogWriter(postgres, options),
    retention: (policy) => startPgMaintenance(postgres, policy),
  }
  // With logging off, calls are still counted on /metrics; their rows go nowhere.
  const noLogSink: LogSink | undefined = deps.noDatabase ? { push() {}, close: async () => {} } : undefined
  const requestLog = createRequestLog(
    config.resolved,
    db,
    deps.sink ?? noLogSink,
    (e, cost) => {
      policies.confirmSpend(e, cost)
      alerts.spendPriced(cost)
    },
    bodyCipher,
    (episode) => alerts.logWriterEpisode(episode),
    pgBackend,
  )
  const policies = new Policies(config.resolved, db, clock, {
    priceBook: requestLog.priceBook,
    alerts,
    // Set once Redis is opened at start (config `redis`); budgets are shared through it from then on.
    shared: () => gw.shared,
  })
  configStore.onApply((next) => requestLog.applyConfig(next.resolved))
  // OpenTelemetry export (telemetry.otlp) sees every event the log does, after the call.
  const telemetry = gatewayTelemetry(config.resolved, {
    gateway: () => gw,
    config: () => app.gatewayConfig.resolved,
    priceBook: requestLog.priceBook,
  })
  configStore.onApply((next) => telemetry.apply(next.resolved))
  const sink = telemetry.wrap(requestLog.sink)
  // Encrypted like the log's bodies when those are: a cached answer is a stored response too.
  const cache = new ResponseCache(db, config.resolved.cache ?? { mode: 'off' }, {
    clock,
    cipher: requestLog.encryptsBodies ? requestLog.cipher : undefined,
    // With `redis` set, exact entries are shared through it once it is opened at start.
    shared: () => gw.shared,
    sharedSecret: config.env.SWITCHYARD_SECRET_KEY,
  })
  const gw = createGatewayContext(config, sink, { priceBook: requestLog.priceBook, policies, cache, ...deps.context })
  app.decorate('gateway', gw)
  app.decorate('db', db)
  // Upstream MCP servers start with the gateway and follow every config change; their child processes end
  // with it (see the onClose hook).
  const mcpHub = new McpHub(config.resolved.mcp?.servers ?? {}, {
    clock: deps.context?.clock,
    resolve: (cfg, name) => resolveMcpServer(name, cfg, configStore.current.env, configStore.secrets),
  })
  configStore.onApply((next) => mcpHub.apply(next.resolved.mcp?.servers ?? {}))
  app.decorate('mcpHub', mcpHub)
  const reports = db ? new ReportService(db, deps.reportLimits) : undefined
  app.decorate('reports', reports)
  // With Postgres, its store is made once the pool is open (onReady); before that no request is served.
  gw.logStore = !postgres && db && reports ? sqliteLogStore(db, reports) : undefined
  // Redis (config `redis`, read at start: a changed URL takes a restart) is connected before the first call.
  const redis = redisSettings(config.resolved)
  const sharedState = redis && sharedStateLifecycle(redis, gw, alerts, clock)
  let sharedConfig: SharedConfig | undefined
  app.decorate(
    'logDatabase',
    databaseUrl === undefined
      ? undefined
      : {
          url: databaseUrl,
          fromFlag: deps.database !== undefined,
          available: () => postgres?.backends.states()?.postgres === 'ok',
        },
  )
  // Model lists are fetched in the background; requests never wait for them unless a name is unknown.
  app.addHook('onReady', async () => {
    void gw.catalog.refreshAll()
    await sharedState?.open()
    if (postgres) {
      await postgres.open()
      const pool = postgres.pool()
      if (pool) {
        const store = pgLogStore(pool)
        gw.logStore = store
        // Budgets start from the shared log's spend, read before the first call (a database down now: from zero,
        // with a warning; Redis-shared budgets are seeded from this ledger only when Redis has none).
        await policies
          .seedSpendFrom((scope, name, since) => store.spendSince(scope, name, since))
          .catch((err: Error) => process.emitWarning(`budget spend could not be read from the log: ${err.message}`))
      }
    }
    await alerts.start(gw.logStore)
    // After Postgres opened: with `database`, the team's copy is read before the first request.
    await team.start()
    // With `database`, Postgres holds the shared config (durable) and Redis, if set too, carries none.
    const passphrase = config.env.SWITCHYARD_SECRET_KEY
    const configBackend = postgres ? pgConfigBackend(postgres) : gw.shared && redisConfigBackend(gw.shared)
    if (configBackend && passphrase) {
      sharedConfig = new SharedConfig({ store: configStore, backend: configBackend, alerts, passphrase })
      await sharedConfig.start()
    }
  })
  // Closing waits for calls in flight, for server.shutdownGraceMs; then it ends those still running with
  // an error their callers see (see core/in-flight.ts). A keep-alive connection whose call ends after
  // close began would otherwise hold the server open for the whole keep-alive timeout, so keep closing
  // idle ones.
  app.addHook('preClose', (done) => {
    const graceMs = app.gatewayConfig.resolved.server?.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS
    gw.inFlight.beginShutdown(graceMs)
    // A tool call through the hub (the Playground's) is not a chat call: after the same grace, closing the hub
    // ends those still running with an error their callers see, or a long tool would hold the server open.
    setTimeout(() => void mcpHub.close(), graceMs).unref()
    const sweep = setInterval(() => app.server.closeIdleConnections(), 50)
    sweep.unref()
    app.server.once('close', () => clearInterval(sweep))
    done()
  })
  // Drain order matters: stop taking requests (Fastify), let every call push its log row, flush the rows,
  // then close the database.
  app.addHook('onClose', async () => {
    await gw.inFlight.idle()
    await mcpHub.close()
    await sink.close()
    sharedConfig?.close()
    await sharedConfig?.idle()
    await sharedState?.close()
    // Stored before the shared database closes (the alert store may be Postgres).
    await alerts.close()
    await pgAudit?.close()
    await postgres?.close()
    await gw.upstreams.close()
    cache.close()
    await gw.logStore?.close()
    // SQLite's report worker when the log is in Postgres (otherwise the SQLite store closed it).
    if (postgres) await reports?.close()
    team.close()
    if (db) closeDatabase(db)
  })

  app.decorate('requestLog', requestLog)
  decoratePauseSwitch(app)
  const prompts = openPromptLibrary(app, gw, postgres)

  // Root: what every request gets, whatever scope it lands in.
  registerErrorHandling(app)
  refuseCallsWhileClosing(app)
  registerCors(app)
  registerRootProbe(app)

  // Each scope is an encapsulated plugin whose guard covers every route registered in it, later ones
  // included: a route cannot be public by accident, only by being put in the public scope.
  app.register(async function publicScope(scope) {
    registerHealth(scope, allBackends(sharedState?.backends, postgres?.backends))
    registerAuthRoutes(scope, admin, { secure: https !== null, team, clock: deps.context?.clock })
  })

  app.register(async function modelApiScope(scope) {
    registerKeyAuth(scope, {
      policies,
      admin,
      offLoopback: () => offLoopback,
      config: () => configStore.current.resolved,
    })
    refuseWhilePaused(scope)
    await scope.register(registerOpenApi)
    const moreMetrics = () => alerts.renderMetrics() + renderPolicyMetrics(gw)
    registerMetrics(scope, requestLog.metrics, requestLog.writer, gw.breakers, moreMetrics)
    registerOpenAIRoutes(scope, gw)
    registerAnthropicRoutes(scope, gw)
    registerResponsesRoutes(scope, gw)
    registerOllamaRoutes(scope, gw)
    registerPromptRunRoutes(scope, gw, prompts, admin)
    // Tools through the hub take the same Host rule and key auth as the model APIs (see mcp/endpoint.ts).
    registerMcpEndpoint(scope, { hub: mcpHub, gw, onConfigApply: (l) => configStore.onApply(l) })
  })

  app.register(async function adminScope(scope) {
    registerAdminApi(scope, {
      access: admin,
      gw,
      store: configStore,
      db,
      dataDir: deps.dataDir,
      requestLog,
      alerts,
      audit: auditStore,
      prompts,
      clock: deps.context?.clock,
    })
  })

  const webRoot = deps.webRoot ?? defaultWebRoot
  if (webRoot !== false) app.register(webUiScope, { root: webRoot })
  return app
}
