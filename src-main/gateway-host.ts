import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { holdDataDirLock } from '../src-gateway/backup/data-dir-lock.js'
import { loadConfigFile } from '../src-gateway/config/load.js'
import type { SecretStore } from '../src-gateway/config/secrets.js'
import { checkRefsAtStart } from '../src-gateway/config/unresolved-refs.js'
import { resourcesDir } from '../src-gateway/paths.js'
import { buildGateway } from '../src-gateway/server.js'
import { readTlsFiles } from '../src-gateway/tls.js'
import type { GatewayStatus } from '../src-shared/desktop-api'

const PREFERRED_PORT = 4141

export interface GatewayHost {
  app: FastifyInstance
  baseUrl: string
  /** The PEM the gateway serves when it listens with TLS. */
  certificatePem?: string
  port: number
  dataDir: string
  status(): Promise<GatewayStatus>
  setPaused(paused: boolean): void
  /** Stops taking requests and writes every queued log row. */
  close(): Promise<void>
}

/** The same choice `switchyard serve` makes: the data folder's own config, else the bundled default. */
function configPathFor(dataDir: string): string {
  const own = join(dataDir, 'config.yaml')
  return existsSync(own) ? own : join(resourcesDir, 'default-config.yaml')
}

/** Local midnight as ISO: "today" in the tray is the user's day, not UTC's. */
function startOfToday(): string {
  const d = new Date()
  d.setHours(0, 0, 0, 0)
  return d.toISOString()
}

async function buildAndListen(
  dataDir: string,
  secrets: SecretStore,
  bodyKeys?: SecretStore,
): Promise<{ app: FastifyInstance; configPath: string }> {
  const configPath = configPathFor(dataDir)
  const config = loadConfigFile(configPath)
  // As `switchyard serve` does: a client key without its value would lock every caller out silently. The
  // thrown error reaches the start-up dialog (index.ts); provider warnings go to the app's log.
  for (const w of checkRefsAtStart(config, secrets, configPath)) console.warn(`switchyard: warning: ${w}`)
  const app = buildGateway(config, { dataDir, configPath, secrets, bodyKeys })
  try {
    await app.listen({ host: '127.0.0.1', port: PREFERRED_PORT })
  } catch (err) {
    // Another gateway (e.g. `switchyard serve`) owns the usual port: run ours on a free one.
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
      await app.close()
      throw err
    }
    await app.listen({ host: '127.0.0.1', port: 0 }).catch(async (again: unknown) => {
      await app.close()
      throw again
    })
  }
  return { app, configPath }
}

/**
 * Starts the gateway in-process on 127.0.0.1 (the usual port, or a free one when it is taken).
 * `bodyKeys` keeps the key for `logs.encryptBodies` in the OS keychain.
 */
export async function startGatewayHost(
  dataDir: string,
  secrets: SecretStore,
  bodyKeys?: SecretStore,
): Promise<GatewayHost> {
  // As `switchyard serve` does, before anything in the data dir is opened: a `serve` on the same folder (or an
  // offline `restore`/`import --apply`) would write under this gateway. A held folder throws DataDirBusyError,
  // whose message reaches the start-up dialog (index.ts).
  const release = holdDataDirLock(dataDir)
  let started: { app: FastifyInstance; configPath: string }
  try {
    started = await buildAndListen(dataDir, secrets, bodyKeys)
  } catch (err) {
    release()
    throw err
  }
  const { app, configPath } = started
  // A crash or quit that never reaches close() still leaves no lock behind (a dead pid's lock is stale anyway).
  process.on('exit', release)
  const addr = app.server.address()
  const port = typeof addr === 'object' && addr ? addr.port : PREFERRED_PORT
  // With `server.tls` the gateway only speaks HTTPS; the window trusts exactly that certificate (see index.ts).
  const tls = app.gatewayConfig.resolved.server?.tls
  const certificatePem = tls ? readTlsFiles(tls, configPath).cert.toString('utf8') : undefined
  const baseUrl = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`

  const today = async () => {
    // Through the admin API in-process: no socket, and the same numbers the dashboard shows. The admin API
    // asks an in-process call for the admin token like any other.
    const res = await app.inject({
      method: 'GET',
      url: `/admin/v1/stats?bucket=day&from=${startOfToday()}`,
      headers: { authorization: `Bearer ${app.adminToken}` },
    })
    if (res.statusCode !== 200) return { requests: null, costUsd: null }
    const { totals } = res.json() as { totals: { requests: number; costUsd: number } }
    return { requests: totals.requests, costUsd: totals.costUsd }
  }

  return {
    app,
    baseUrl,
    certificatePem,
    port,
    dataDir,
    async status() {
      const t = await today()
      return { baseUrl, port, paused: app.gatewayPause.paused, requestsToday: t.requests, costTodayUsd: t.costUsd }
    },
    setPaused: (paused) => app.gatewayPause.set(paused),
    close: async () => {
      try {
        await app.close()
      } finally {
        release()
      }
    },
  }
}
