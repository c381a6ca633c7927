import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { StatsResult } from '../../src-shared/contract/stats.js'
import { loadConfigFile } from '../config/load.js'
import type { SecretStore } from '../config/secrets.js'
import { checkRefsAtStart } from '../config/unresolved-refs.js'
import { DEFAULT_SHUTDOWN_GRACE_MS } from '../core/in-flight.js'
import { resourcesDir } from '../paths.js'
import { buildGateway } from '../server.js'
import { readTlsFiles } from '../tls.js'

/** What the tray and the window show; the same shape as src-shared's GatewayStatus without the process state. */
export interface RunningStatus {
  baseUrl: string
  port: number
  paused: boolean
  requestsToday: number | null
  costTodayUsd: number | null
}

export interface RunningGateway {
  port: number
  baseUrl: string
  certificatePem?: string
  adminToken: string
  /** How long close() may take (the config's shutdown grace plus the log writer's). */
  closeWithinMs: number
  status(): Promise<RunningStatus>
  setPaused(paused: boolean): void
  /** Stops taking requests and writes every queued log row. */
  close(): Promise<void>
}

/** The log writer's default close grace (log-writer.ts), which the desktop app does not change. */
const LOG_CLOSE_GRACE_MS = 5_000

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

/** Listens on the first of `ports` that is free, else on any free port. */
async function listenOnFirstFree(app: FastifyInstance, ports: number[]): Promise<void> {
  for (const port of [...ports, 0]) {
    try {
      await app.listen({ host: '127.0.0.1', port })
      return
    } catch (err) {
      // Another gateway (e.g. `switchyard serve`) owns this port: try the next.
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) {
        await app.close()
        throw err
      }
    }
  }
}

/**
 * Builds the desktop app's gateway from the data folder and listens on 127.0.0.1 (the first free port of
 * `ports`, else a free one). The caller holds the data dir's lock. `bodyKeys` keeps the key for
 * `logs.encryptBodies` in the OS keychain.
 */
export async function runGateway(opts: {
  dataDir: string
  ports: number[]
  paused: boolean
  secrets: SecretStore
  bodyKeys?: SecretStore
}): Promise<RunningGateway> {
  const { dataDir, secrets, bodyKeys } = opts
  const configPath = configPathFor(dataDir)
  const config = loadConfigFile(configPath)
  // As `switchyard serve` does: a client key without its value would lock every caller out silently. The
  // thrown error reaches the start-up dialog; provider warnings go to the app's log.
  for (const w of checkRefsAtStart(config, secrets, configPath)) console.warn(`switchyard: warning: ${w}`)
  const app = buildGateway(config, { dataDir, configPath, secrets, bodyKeys })
  if (opts.paused) app.gatewayPause.set(true)
  await listenOnFirstFree(app, opts.ports)
  const addr = app.server.address()
  const port = typeof addr === 'object' && addr ? addr.port : 0
  // With `server.tls` the gateway only speaks HTTPS; the window trusts exactly that certificate (src-main/index.ts).
  const tls = app.gatewayConfig.resolved.server?.tls
  const certificatePem = tls ? readTlsFiles(tls, configPath).cert.toString('utf8') : undefined
  const baseUrl = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`

  const today = async (): Promise<{ requests: number | null; costUsd: number | null }> => {
    // The report /admin/v1/stats answers with, so the tray shows the dashboard's numbers. A busy or restarting
    // report worker leaves the tray's figures blank until the next poll.
    const now = Date.now()
    const query = { from: startOfToday(), to: new Date(now).toISOString(), bucket: 'day' } as const
    const json = await app.gateway.logStore?.report({ kind: 'stats', query, now }).catch(() => undefined)
    if (json === undefined) return { requests: null, costUsd: null }
    const { totals } = JSON.parse(json) as StatsResult
    return { requests: totals.requests, costUsd: totals.costUsd }
  }

  return {
    port,
    baseUrl,
    certificatePem,
    adminToken: app.adminToken,
    closeWithinMs:
      (app.gatewayConfig.resolved.server?.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS) + LOG_CLOSE_GRACE_MS,
    async status() {
      const t = await today()
      return { baseUrl, port, paused: app.gatewayPause.paused, requestsToday: t.requests, costTodayUsd: t.costUsd }
    },
    setPaused: (paused) => app.gatewayPause.set(paused),
    close: () => app.close(),
  }
}
