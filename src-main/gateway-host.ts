import { holdDataDirLock } from '../src-gateway/backup/data-dir-lock.js'
import type { SecretStore } from '../src-gateway/config/secrets.js'
import { snapshotOf } from '../src-gateway/host/mirrored-secrets.js'
import type { RunningStatus } from '../src-gateway/host/run-gateway.js'
import type { GatewayNotice, GatewayStatus } from '../src-shared/desktop-api'
import type { SpawnGatewayChild } from './gateway-child.js'
import { GatewaySupervisor, type SupervisorOptions } from './gateway-supervisor.js'

const PREFERRED_PORT = 4141

export interface GatewayHost {
  /** Where the gateway listens; after a restart on another port (rare: the old one was taken), the new one. */
  readonly baseUrl: string
  /** The PEM the gateway serves when it listens with TLS. */
  readonly certificatePem?: string
  readonly port: number
  /** The gateway's admin token (from the data dir, so a restarted gateway has the same one). */
  readonly adminToken: string
  readonly dataDir: string
  status(): Promise<GatewayStatus>
  setPaused(paused: boolean): Promise<void>
  /** Things the user should hear of: a restart after a crash, giving up, the log writer's warnings. */
  onNotice(listener: (notice: GatewayNotice) => void): void
  /** After each restart; `moved` when the new process could not get the old port back. */
  onRestart(listener: (moved: boolean) => void): void
  /** Stops taking requests, writes every queued log row, ends the gateway process. */
  close(): Promise<void>
}

export interface GatewayHostOptions {
  dataDir: string
  secrets: SecretStore
  /** Keeps the key for `logs.encryptBodies` in the OS keychain. */
  bodyKeys?: SecretStore
  /** Electron's utilityProcess in the app (utility-process-child.ts), node's fork in tests (node-child.ts). */
  spawn: SpawnGatewayChild
  /** 4141, the port tools expect, unless told (tests say 0: any free port). */
  preferredPort?: number
  /** Restart bounds and backoff; the defaults suit the app. */
  supervision?: Pick<SupervisorOptions, 'maxRestarts' | 'restartWindowMs' | 'backoffMs'>
}

/**
 * Starts the gateway in its own process on 127.0.0.1 (the usual port, or a free one when it is taken) and
 * keeps it running: a gateway that dies is started again, and the window and tray hear of it.
 */
export async function startGatewayHost(opts: GatewayHostOptions): Promise<GatewayHost> {
  const { dataDir, secrets, bodyKeys } = opts
  // As `switchyard serve` does, before anything in the data dir is opened: a `serve` on the same folder (or an
  // offline `restore`/`import --apply`) would write under this gateway. Main holds it, not the gateway process,
  // so the folder stays held while a crashed gateway restarts. A held folder throws DataDirBusyError, whose
  // message reaches the start-up dialog (index.ts).
  const release = holdDataDirLock(dataDir)
  // A crash or quit that never reaches close() still leaves no lock behind (a dead pid's lock is stale anyway).
  process.on('exit', release)
  const listeners = new Set<(notice: GatewayNotice) => void>()
  const notify = (n: Omit<GatewayNotice, 'at'>) => {
    const notice = { ...n, at: new Date().toISOString() }
    for (const l of listeners) l(notice)
  }
  let paused = false
  const supervisor = new GatewaySupervisor({
    ...opts.supervision,
    spawn: opts.spawn,
    startMessage: (ports) => ({
      type: 'start',
      dataDir,
      ports,
      paused,
      // Opened here, where the keychain is; the gateway process keeps them in memory (SECURITY.md).
      secrets: snapshotOf(secrets),
      bodyKeys: bodyKeys && snapshotOf(bodyKeys),
    }),
    onSecret({ store, name, value }) {
      const target = store === 'secrets' ? secrets : bodyKeys
      try {
        if (!target) throw new Error('no store for it on this machine')
        if (value === undefined) target.delete(name)
        else target.set(name, value)
      } catch (err) {
        notify({ level: 'error', message: `The secret '${name}' could not be saved: ${(err as Error).message}` })
      }
    },
  })
  supervisor.onNotice(notify)
  try {
    await supervisor.start([opts.preferredPort ?? PREFERRED_PORT])
  } catch (err) {
    release()
    throw err
  }
  const ready = () => supervisor.ready!

  return {
    get baseUrl() {
      return ready().baseUrl
    },
    get certificatePem() {
      return ready().certificatePem
    },
    get port() {
      return ready().port
    },
    get adminToken() {
      return ready().adminToken
    },
    dataDir,
    async status() {
      const state = supervisor.state === 'running' ? 'running' : supervisor.state === 'failed' ? 'failed' : 'restarting'
      if (state === 'running') {
        const s = (await supervisor.request({ op: 'status' }).catch(() => undefined)) as RunningStatus | undefined
        if (s) return { ...s, state }
      }
      const { baseUrl, port } = ready()
      return { baseUrl, port, paused, requestsToday: null, costTodayUsd: null, state }
    },
    async setPaused(next) {
      await supervisor.request({ op: 'pause', paused: next })
      paused = next
    },
    onNotice: (l) => void listeners.add(l),
    onRestart(l) {
      let port = ready().port
      supervisor.onRestart((r) => {
        l(r.port !== port)
        port = r.port
      })
    },
    close: async () => {
      try {
        await supervisor.close()
      } finally {
        release()
      }
    },
  }
}
