import { holdDataDirLock } from './backup/data-dir-lock.js'
import { type Command, type CommandSpec, commandUsage, parseCommand, UsageError } from './cli/args.js'
import { backupCommand, restoreCommand } from './cli/backup-commands.js'
import { FILE_OPTIONS, fileTarget } from './cli/data-dir.js'
import { dataDirError, dataDirProblem } from './cli/data-dir-access.js'
import { mcpImportCommand } from './cli/mcp-commands.js'
import { migrateCommand } from './cli/migrate-command.js'
import { fail, userErrors } from './cli/output.js'
import { exportCommand, importCommand } from './cli/transfer-commands.js'
import { ConfigError, type LoadedConfig, loadConfigFile } from './config/load.js'
import { defaultSecretStore, type SecretStore, SecretStoreError } from './config/secrets.js'
import { checkRefsAtStart } from './config/unresolved-refs.js'
import { workerLink } from './host/worker-link.js'
import { PgSchemaError } from './store/pg/migrations.js'
import { VERSION } from './version.js'

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1'])
/** More workers than any machine has cores for would only add memory (each is a whole gateway). */
const MAX_WORKERS = 64
/** What closing may take past the shutdown grace period: the request log's last flush and the database. */
const CLOSE_MARGIN_MS = 10_000

const serveSpec: CommandSpec = {
  name: 'serve',
  summary: 'runs the gateway and the web UI (default http://127.0.0.1:4141)',
  synopsis: '[--config FILE] [--port N] [--host H] [--data-dir DIR] [--no-log] [--database URL] [--workers N]',
  description:
    'Runs the gateway and the web UI, and prints a one-time sign-in link. It holds DATA_DIR/gateway.lock\n' +
    'while it runs, so a second serve (or an offline restore or import --apply) on that folder refuses.',
  options: {
    ...FILE_OPTIONS,
    port: { type: 'string', value: 'N', help: 'port to listen on (default 4141, or PORT; 0 picks a free port)' },
    host: { type: 'string', value: 'H', help: 'address to bind (default 127.0.0.1)' },
    'no-log': {
      type: 'boolean',
      help: 'open no database (e.g. a read-only data dir): no request log; spend, prompts and alerts last until exit',
    },
    database: {
      type: 'string',
      value: 'URL',
      help: "postgres://… for the request log several instances share (wins over the config's `database`)",
    },
    workers: {
      type: 'string',
      value: 'N',
      help: `runs N gateway processes on the one port (1-${MAX_WORKERS}); needs \`redis\` and \`database\`, which they share`,
    },
  },
  positionals: [],
}

async function serve(values: Record<string, string | boolean | undefined>): Promise<void> {
  const { host = '127.0.0.1', ...flags } = values as Record<string, string | undefined>
  const port = Number(flags.port ?? process.env.PORT ?? 4141)
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0-65535, got ${flags.port}`)
  const { dataDir, configPath } = fileTarget(values)

  let config: LoadedConfig
  try {
    config = loadConfigFile(configPath)
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message)
    throw err
  }
  const noLog = values['no-log'] === true
  const database = flags.database
  if (database !== undefined && !/^postgres(ql)?:\/\/\S+$/.test(database)) {
    fail('--database must be a postgres:// or postgresql:// URL')
  }
  if (database !== undefined && noLog) fail('--database and --no-log cannot be used together')
  // A worker of `serve --workers` (forked with this same command line): the primary holds the lock and prints.
  const link = workerLink()
  if (flags.workers !== undefined && !link) {
    return servePrimary(flags.workers, { host, port, config, configPath, dataDir, database, noLog })
  }
  const problem = dataDirProblem(dataDir)
  if (problem && !noLog) fail(problem)
  if (noLog) {
    process.stderr.write(
      'switchyard: warning: request logging is off (--no-log): no database is opened, so nothing is logged; ' +
        'key spend, prompts and alerts are kept in memory until exit, and the audit trail and backups are off\n',
    )
  }
  // Before anything in the data dir is opened: a second writer there would overwrite this one's changes.
  // A folder --no-log serves from without being able to write it is not written at all: no lock to hold.
  const release = problem || link ? () => {} : userErrors(() => holdDataDirLock(dataDir))
  process.on('exit', release)
  // Loaded here, not at the top: --help and the offline commands have no use for the whole gateway.
  const { buildGateway } = await import('./server.js')
  let secrets: SecretStore
  let app: ReturnType<typeof buildGateway>
  try {
    secrets = defaultSecretStore(dataDir, config.env)
    // A client key without its value would lock every caller out with nothing said: stop here instead.
    for (const w of checkRefsAtStart(config, secrets, configPath)) process.stderr.write(`switchyard: warning: ${w}\n`)
    app = buildGateway(config, { dataDir, configPath, secrets, noDatabase: noLog, database, worker: link })
  } catch (err) {
    // A secret store or a TLS certificate that cannot be read.
    if (err instanceof SecretStoreError || err instanceof ConfigError) fail(err.message)
    // A file in the data dir it cannot write after all, or a database SQLite cannot open.
    const inDataDir = dataDirError(err, dataDir)
    if (inDataDir) fail(inDataDir)
    throw err
  }
  // An admin token guards /admin, not the model APIs: off loopback, only client keys stop the network
  // from spending provider keys.
  if (!LOOPBACK.has(host) && !app.gatewayConfig.resolved.keys?.length) fail(noKeysOffLoopback(host))
  if (link) {
    try {
      await app.ready()
    } catch (err) {
      if (err instanceof PgSchemaError) fail(`cannot start: ${err.message}`)
      throw err
    }
  } else {
    try {
      await app.listen({ host, port })
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EADDRINUSE') fail(portInUse(port, host))
      if (code === 'EADDRNOTAVAIL') fail(`cannot bind to ${host}: no such local address`)
      if (err instanceof PgSchemaError) fail(`cannot start: ${err.message}`)
      throw err
    }
    const addr = app.server.address()
    // The server was built with HTTPS exactly when the config it started from has `server.tls`.
    const scheme = config.resolved.server?.tls ? 'https' : 'http'
    const url = urlOf(scheme, host, typeof addr === 'object' && addr ? addr.port : port)
    const signIn =
      app.team.mode() === 'team'
        ? { mode: 'team' as const, teamSetupToken: (await app.team.setupToken()) ?? null }
        : { code: app.createLoginCode() }
    printBanner({ url, host, signIn, configPath, dataDir })
    if (secrets.keyFile) {
      process.stdout.write(
        `  secrets: sealed with the key in ${secrets.keyFile}; anyone who can read the data folder can read them (set SWITCHYARD_SECRET_KEY to keep the key elsewhere)\n`,
      )
    }
  }

  const { DEFAULT_SHUTDOWN_GRACE_MS, describeShutdown } = await import('./core/in-flight.js')
  let closing = false
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    const graceMs = app.gatewayConfig.resolved.server?.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS
    const who = link ? `worker ${link.slot + 1}` : 'switchyard'
    process.stdout.write(`${who}: ${signal}, shutting down (calls in flight get ${graceMs / 1000} s)\n`)
    // Past the grace period and the log's last flush, something is stuck: say so rather than hang.
    const limitMs = graceMs + CLOSE_MARGIN_MS
    const force = setTimeout(() => {
      process.stderr.write(`${who}: not stopped ${limitMs / 1000} s after ${signal}; exiting anyway\n`)
      process.exit(1)
    }, limitMs)
    force.unref()
    app.close().then(
      () => {
        process.stdout.write(`${who}: ${describeShutdown(app.gateway.inFlight.shutdownReport())}\n`)
        process.exit(0)
      },
      (err) => {
        process.stderr.write(`${who}: error while closing: ${(err as Error).message}\n`)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  if (link) {
    link.onPrimaryGone(() => shutdown('primary gone'))
    // Team mode before its first owner: the first worker makes the setup link the primary prints.
    const team = app.team.mode() === 'team'
    const setup = team && link.slot === 0 ? ((await app.team.setupToken()) ?? null) : null
    link.serve(app.server, team ? { mode: 'team', teamSetupToken: setup } : { mode: 'solo' })
  }
}

const noKeysOffLoopback = (host: string) =>
  `refusing to listen on ${host}: without client keys every machine on the network could spend your provider keys. ` +
  'Bind to 127.0.0.1 (the default) or configure virtual keys (`keys:`). Clients must then address it by a name in server.allowedHosts.'

const portInUse = (port: number, host: string) =>
  `port ${port} on ${host} is already in use (another Switchyard?). Pick another with --port.`

const urlOf = (scheme: string, host: string, port: number) =>
  `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`

/** What `serve` prints once it listens: the address, the one-time sign-in (or team setup) link, the files. */
function printBanner(b: {
  url: string
  host: string
  signIn: { code: string } | { mode: 'team'; teamSetupToken: string | null }
  configPath: string
  dataDir: string
}): void {
  process.stdout.write(`Switchyard listening on ${b.url}\n`)
  // A one-time code, not the admin token: terminal scrollback should not hold the token. A wildcard
  // address is not a name the Host check admits, so the link uses loopback then.
  const u = new URL(b.url)
  if (b.host === '0.0.0.0' || b.host === '::') u.hostname = '127.0.0.1'
  const base = u.origin
  if ('code' in b.signIn) {
    process.stdout.write(`Sign in to the web UI: ${base}/auth/login?code=${b.signIn.code}\n`)
  } else if (b.signIn.teamSetupToken) {
    // Team mode: people sign in as themselves; until the first owner exists, a one-time link creates them.
    process.stdout.write(`Set up the team's first owner: ${base}/setup?token=${b.signIn.teamSetupToken}\n`)
  } else {
    process.stdout.write(`Sign in to the web UI: ${base}/\n`)
  }
  process.stdout.write(`  config: ${b.configPath}\n  data:   ${b.dataDir}\n`)
}

/**
 * `serve --workers N`: checks what workers need, prepares the data folder once (its lock, SQLite's migrations) and
 * runs the primary (host/workers.ts), which forks N workers with this same command line.
 */
async function servePrimary(
  count: string,
  o: {
    host: string
    port: number
    config: LoadedConfig
    configPath: string
    dataDir: string
    database: string | undefined
    noLog: boolean
  },
): Promise<void> {
  const n = Number(count)
  if (!/^\d+$/.test(count) || n < 1 || n > MAX_WORKERS) fail(`--workers must be 1-${MAX_WORKERS}, got ${count}`)
  const { sharedConfigProblem } = await import('./config/shared-config.js')
  const problem = workersProblem(o.config, o.database, o.noLog) ?? sharedConfigProblem(o.config.env)
  if (problem) fail(`--workers: ${problem}`)
  if (!LOOPBACK.has(o.host) && !o.config.resolved.keys?.length) fail(noKeysOffLoopback(o.host))
  const dirProblem = dataDirProblem(o.dataDir)
  if (dirProblem) fail(dirProblem)
  const release = userErrors(() => holdDataDirLock(o.dataDir))
  process.on('exit', release)
  // The workers open the data folder's database at once: its migrations run here first, so none of them races
  // another over a schema change.
  const { closeDatabase, openDatabase } = await import('./store/db.js')
  try {
    closeDatabase(openDatabase(o.dataDir))
  } catch (err) {
    const inDataDir = dataDirError(err, o.dataDir)
    if (inDataDir) fail(inDataDir)
    throw err
  }
  const { runWorkers } = await import('./host/workers.js')
  const code = await runWorkers({
    count: n,
    host: o.host,
    port: o.port,
    banner: ({ port, codes, signIn }) => {
      printBanner({
        url: urlOf('http', o.host, port),
        host: o.host,
        signIn: signIn.mode === 'team' ? signIn : { code: codes.createCode() },
        configPath: o.configPath,
        dataDir: o.dataDir,
      })
    },
  })
  process.exit(code)
}

/** Why `--workers` cannot run with this config, or undefined. */
function workersProblem(config: LoadedConfig, database: string | undefined, noLog: boolean): string | undefined {
  const shared = 'N processes would otherwise keep N sets of limits, budgets and logs'
  if (config.resolved.redis === undefined || (database ?? config.resolved.database) === undefined || noLog) {
    return `needs both \`redis\` and \`database\` (or --database) in effect: ${shared}`
  }
  if (config.resolved.server?.tls) {
    return 'the workers do not serve HTTPS themselves (server.tls): terminate TLS in front of them, or drop --workers'
  }
  return undefined
}

const COMMANDS: Command[] = [
  { spec: serveSpec, run: ({ values }) => serve(values) },
  backupCommand,
  restoreCommand,
  exportCommand,
  importCommand,
  mcpImportCommand,
  migrateCommand,
]

const OVERVIEW = `Switchyard ${VERSION}: a local LLM gateway

Usage: switchyard <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.spec.name.padEnd(12)}${c.spec.summary}`).join('\n')}
  help        [COMMAND] shows a command's usage and options

switchyard --version prints the version. Every command answers --help.`

const usageOf = (spec: CommandSpec | undefined) => (spec ? commandUsage(spec) : OVERVIEW)

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv
  if (name === '--version' || name === '-v') return void process.stdout.write(`${VERSION}\n`)
  if (name === undefined || name === '--help' || name === '-h') return void process.stdout.write(`${OVERVIEW}\n`)
  // A command is one word (`serve`) or two (`mcp import`): the longest name the words spell.
  const find = (words: string[]) =>
    COMMANDS.find((c) => c.spec.name === words.slice(0, 2).join(' ')) ?? COMMANDS.find((c) => c.spec.name === words[0])
  // The commands under a first word (`mcp`): `switchyard mcp --help` shows each one's usage.
  const groupOf = (word: string) => COMMANDS.filter((c) => c.spec.name.startsWith(`${word} `))
  const groupUsage = (word: string) =>
    `${groupOf(word)
      .map((c) => commandUsage(c.spec))
      .join('\n\n')}\n`
  const unknown = (words: string[]) => {
    const inGroup = groupOf(words[0]).length > 0
    return new UsageError(`unknown command '${inGroup ? words.slice(0, 2).join(' ') : words[0]}'`)
  }
  if (name === 'help') {
    const topic = rest[0] === undefined ? undefined : find(rest)
    if (rest[0] !== undefined && !topic && groupOf(rest[0]).length > 0 && rest.length === 1) {
      return void process.stdout.write(groupUsage(rest[0]))
    }
    if (rest[0] !== undefined && !topic) throw unknown(rest)
    return void process.stdout.write(`${usageOf(topic?.spec)}\n`)
  }
  const command = find(argv)
  if (!command && groupOf(name).length > 0 && (rest[0] === '--help' || rest[0] === '-h')) {
    return void process.stdout.write(groupUsage(name))
  }
  if (!command) throw unknown(argv)
  const args = argv.slice(command.spec.name.split(' ').length)
  const parsed = parseCommand(command.spec, args)
  if (parsed === 'help') return void process.stdout.write(`${usageOf(command.spec)}\n`)
  await command.run(parsed)
}

main(process.argv.slice(2)).catch((err) => {
  // A wrong command line: one line saying what, then the usage to get it right.
  if (err instanceof UsageError) {
    const where = err.command ? ` ${err.command.name}` : ''
    process.stderr.write(`switchyard${where}: ${err.message}\n\n${usageOf(err.command)}\n`)
    process.exit(2)
  }
  process.stderr.write(`switchyard: ${(err as Error).stack ?? err}\n`)
  process.exit(1)
})
