#!/usr/bin/env node
// First: heap settings apply from here on.
import './heap-tuning.js'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { adminTokens } from './api/admin/admin-auth.js'
import { ConfigError, type LoadedConfig, loadConfigFile } from './config/load.js'
import { SecretStoreError } from './config/secrets.js'
import { defaultDataDir, resourcesDir } from './paths.js'
import { buildGateway } from './server.js'
import { VERSION } from './version.js'

const USAGE = `Switchyard ${VERSION}: a local LLM gateway

Usage:
  switchyard serve [--config FILE] [--port N] [--host H] [--data-dir DIR]
  switchyard --version

serve   runs the gateway and the web UI (default http://127.0.0.1:4141)
  --config FILE    YAML or JSON config (default: DATA_DIR/config.yaml, else the bundled default)
  --port N         port to listen on (default 4141; 0 picks a free port)
  --host H         address to bind (default 127.0.0.1)
  --data-dir DIR   database and state (default: the app-data folder; SWITCHYARD_DATA_DIR overrides)`

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
  if (config.missingEnv.length > 0) {
    process.stderr.write(`switchyard: warning: environment variables not set: ${config.missingEnv.join(', ')}\n`)
  }
  let app: ReturnType<typeof buildGateway>
  try {
    app = buildGateway(config, { dataDir, configPath })
  } catch (err) {
    if (err instanceof SecretStoreError) fail(err.message)
    throw err
  }
  const { resolved } = app.gatewayConfig
  // Virtual keys guard the model APIs; without an admin token the admin API then stays closed off-loopback.
  if (!LOOPBACK.has(host) && adminTokens(resolved).length === 0 && !resolved.keys?.length) {
    fail(
      `refusing to listen on ${host}: without access control every machine on the network could spend your provider keys. ` +
        'Bind to 127.0.0.1 (the default), configure virtual keys (`keys:`), or set an admin token (SWITCHYARD_ADMIN_TOKEN or server.adminToken).',
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
  process.stdout.write(`Switchyard listening on http://${host.includes(':') ? `[${host}]` : host}:${actualPort}\n`)
  process.stdout.write(`  config: ${configPath}\n  data:   ${dataDir}\n`)

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

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  if (command === '--version' || command === '-v') return void process.stdout.write(`${VERSION}\n`)
  if (command === 'serve') return serve(rest)
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    return void process.stdout.write(`${USAGE}\n`)
  }
  fail(`unknown command '${command}'\n\n${USAGE}`)
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`switchyard: ${(err as Error).stack ?? err}\n`)
  process.exit(1)
})
