import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { backupsDir } from './backup/backup-files.js'
import { backupOffline, type OfflineTarget, restoreOffline } from './backup/offline.js'
import { BackupFormatError } from './backup/snapshot.js'
import { ConfigError, type LoadedConfig, loadConfigFile } from './config/load.js'
import { defaultSecretStore, type SecretStore, SecretStoreError } from './config/secrets.js'
import { unresolvedRefs } from './config/unresolved-refs.js'
import { defaultDataDir, resourcesDir } from './paths.js'
import { buildGateway } from './server.js'
import { VERSION } from './version.js'

const USAGE = `Switchyard ${VERSION}: a local LLM gateway

Usage:
  switchyard serve [--config FILE] [--port N] [--host H] [--data-dir DIR]
  switchyard backup [--data-dir DIR] [--config FILE] [--out FILE]
  switchyard restore FILE [--data-dir DIR] [--config FILE]
  switchyard --version

serve   runs the gateway and the web UI (default http://127.0.0.1:4141)
  --config FILE    YAML or JSON config (default: DATA_DIR/config.yaml, else the bundled default)
  --port N         port to listen on (default 4141; 0 picks a free port)
  --host H         address to bind (default 127.0.0.1)
  --data-dir DIR   database and state (default: the app-data folder; SWITCHYARD_DATA_DIR overrides)

backup  writes a snapshot of the config and the prompt library (versions, labels) to
        DATA_DIR/backups/, or to --out FILE. Key values are never in it: only their references.
restore FILE  puts a backup's config and prompts back, after saving a pre-restore snapshot.
        Run both while the gateway is stopped; a running gateway backs up daily and before each
        import by itself, and restores from Settings > Backups.`

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1'])

function fail(message: string): never {
  process.stderr.write(`switchyard: ${message}\n`)
  process.exit(1)
}

/** The config file to use: the flag, else the data folder's own, else the bundled default. */
function chooseConfig(flag: string | undefined, dataDir: string): string {
  if (flag) return flag
  const own = join(dataDir, 'config.yaml')
  return existsSync(own) ? own : join(resourcesDir, 'default-config.yaml')
}

async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
    },
    strict: true,
  })
  const host = values.host ?? '127.0.0.1'
  const port = Number(values.port ?? process.env.PORT ?? 4141)
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0-65535, got ${values.port}`)
  const dataDir = values['data-dir'] ?? defaultDataDir()
  const configPath = chooseConfig(values.config, dataDir)

  let config: LoadedConfig
  try {
    config = loadConfigFile(configPath)
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message)
    throw err
  }
  let secrets: SecretStore
  let app: ReturnType<typeof buildGateway>
  try {
    secrets = defaultSecretStore(dataDir, config.env)
    // A client key without its value would lock every caller out with nothing said: stop here instead.
    const unresolved = unresolvedRefs(config.raw, config.env, secrets)
    if (unresolved.errors.length > 0) {
      fail(
        `cannot start: ${unresolved.errors.join('; ')}. Set the variable, or remove the key from ${configPath} and create it again.`,
      )
    }
    for (const w of unresolved.warnings) process.stderr.write(`switchyard: warning: ${w}\n`)
    app = buildGateway(config, { dataDir, configPath, secrets })
  } catch (err) {
    // A secret store or a TLS certificate that cannot be read.
    if (err instanceof SecretStoreError || err instanceof ConfigError) fail(err.message)
    throw err
  }
  // An admin token guards /admin, not the model APIs: off loopback, only client keys stop the network
  // from spending provider keys.
  if (!LOOPBACK.has(host) && !app.gatewayConfig.resolved.keys?.length) {
    fail(
      `refusing to listen on ${host}: without client keys every machine on the network could spend your provider keys. ` +
        'Bind to 127.0.0.1 (the default) or configure virtual keys (`keys:`). Clients must then address it by a name in server.allowedHosts.',
    )
  }
  try {
    await app.listen({ host, port })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE')
      fail(`port ${port} on ${host} is already in use (another Switchyard?). Pick another with --port.`)
    if (code === 'EADDRNOTAVAIL') fail(`cannot bind to ${host}: no such local address`)
    throw err
  }
  const addr = app.server.address()
  const actualPort = typeof addr === 'object' && addr ? addr.port : port
  // The server was built with HTTPS exactly when the config it started from has `server.tls`.
  const scheme = config.resolved.server?.tls ? 'https' : 'http'
  const urlOf = (h: string) => `${scheme}://${h.includes(':') ? `[${h}]` : h}:${actualPort}`
  process.stdout.write(`Switchyard listening on ${urlOf(host)}\n`)
  // A one-time code, not the admin token: terminal scrollback should not hold the token. A wildcard
  // address is not a name the Host check admits, so the link uses loopback then.
  const signInHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
  process.stdout.write(`Sign in to the web UI: ${urlOf(signInHost)}/auth/login?code=${app.createLoginCode()}\n`)
  process.stdout.write(`  config: ${configPath}\n  data:   ${dataDir}\n`)
  if (secrets.keyFile) {
    process.stdout.write(
      `  secrets: sealed with the key in ${secrets.keyFile}; anyone who can read the data folder can read them (set SWITCHYARD_SECRET_KEY to keep the key elsewhere)\n`,
    )
  }

  let closing = false
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    process.stdout.write(`switchyard: ${signal}, shutting down\n`)
    const force = setTimeout(() => process.exit(1), 10_000)
    force.unref()
    app.close().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`switchyard: error while closing: ${(err as Error).message}\n`)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.on('SIGTERM', () => shutdown('SIGTERM'))
}

/** The files `backup` and `restore` work on, chosen as `serve` would choose them. */
function offlineTarget(values: { 'data-dir'?: string; config?: string }): OfflineTarget {
  const dataDir = values['data-dir'] ?? defaultDataDir()
  return { dataDir, configPath: chooseConfig(values.config, dataDir) }
}

const OFFLINE_OPTIONS = { config: { type: 'string' }, 'data-dir': { type: 'string' } } as const

/** Config and backup-file problems are the user's to fix: one line, no stack. */
function offline<T>(run: () => T): T {
  try {
    return run()
  } catch (err) {
    if (err instanceof ConfigError || err instanceof BackupFormatError) fail(err.message)
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'EACCES') fail((err as Error).message)
    throw err
  }
}

function backup(argv: string[]): void {
  const { values } = parseArgs({ args: argv, options: { ...OFFLINE_OPTIONS, out: { type: 'string' } }, strict: true })
  const file = offline(() => backupOffline(offlineTarget(values), values.out))
  process.stdout.write(`Backup written to ${file}\n`)
}

function restore(argv: string[]): void {
  const { values, positionals } = parseArgs({
    args: argv,
    options: OFFLINE_OPTIONS,
    allowPositionals: true,
    strict: true,
  })
  if (positionals.length !== 1) fail(`restore needs one backup file, e.g. switchyard restore backup.json\n\n${USAGE}`)
  const target = offlineTarget(values)
  const done = offline(() => restoreOffline(target, positionals[0]))
  process.stdout.write(
    `Restored ${positionals[0]}: config written to ${done.configPath}, ${done.prompts} prompt${done.prompts === 1 ? '' : 's'}.\n` +
      (done.preRestore
        ? `The state before is saved as ${join(backupsDir(target.dataDir), `${done.preRestore.id}.json`)}\n`
        : 'The config before could not be read, so no pre-restore snapshot was taken.\n'),
  )
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  if (command === '--version' || command === '-v') return void process.stdout.write(`${VERSION}\n`)
  if (command === 'serve') return serve(rest)
  if (command === 'backup') return backup(rest)
  if (command === 'restore') return restore(rest)
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    return void process.stdout.write(`${USAGE}\n`)
  }
  fail(`unknown command '${command}'\n\n${USAGE}`)
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`switchyard: ${(err as Error).stack ?? err}\n`)
  process.exit(1)
})
