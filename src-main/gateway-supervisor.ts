import type { GatewayRequest, ReadyMessage, SecretStoreName, StartMessage } from '../src-gateway/host/messages.js'
import { describeExit, type GatewayChild, type SpawnGatewayChild } from './gateway-child.js'

/** running: answering; restarting: between a crash and the next ready; failed: gave up; closed: quit. */
export type SupervisedState = 'running' | 'restarting' | 'failed' | 'closed'

export interface SupervisorNotice {
  level: 'warning' | 'error'
  message: string
}

export interface SupervisorOptions {
  spawn: SpawnGatewayChild
  /** The start message for each new process, given the ports to try (secrets as main holds them now). */
  startMessage(ports: number[]): StartMessage
  /** A secret the gateway set (`value`) or deleted through the admin API: main seals and stores it. */
  onSecret?(change: { store: SecretStoreName; name: string; value?: string }): void
  /** Restarts allowed within `restartWindowMs` before giving up: 5 in 60 s unless told. */
  maxRestarts?: number
  restartWindowMs?: number
  /** Wait before restart number `n` (1-based): 250 ms doubling up to 8 s unless told. */
  backoffMs?(n: number): number
  now?(): number
}

/** The gateway process is not there to answer (restarting, stopped, or quitting). */
export class GatewayUnavailableError extends Error {
  override name = 'GatewayUnavailableError'
}

/** Status and pause answer in milliseconds; this only bounds a gateway that stopped answering. */
const REQUEST_TIMEOUT_MS = 15_000
/** Room beyond the gateway's own close time (ReadyMessage.closeWithinMs) before a quit ends it anyway. */
const CLOSE_MARGIN_MS = 10_000

const defaultBackoff = (n: number) => Math.min(250 * 2 ** (n - 1), 8_000)

/**
 * Keeps one gateway process running for the desktop app: starts it, answers requests through it, and when it
 * dies unexpectedly starts another on the same port (with backoff), telling listeners. Past `maxRestarts`
 * within the window it stops trying and stays `failed`, so a gateway that cannot live does not loop.
 */
export class GatewaySupervisor {
  private child: GatewayChild | undefined
  private current: ReadyMessage | undefined
  private stateNow: SupervisedState = 'restarting'
  private crashes: number[] = []
  private restartTimer: NodeJS.Timeout | undefined
  private nextId = 1
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>()
  private readonly noticeListeners = new Set<(n: SupervisorNotice) => void>()
  private readonly readyListeners = new Set<(ready: ReadyMessage) => void>()
  private readonly maxRestarts: number
  private readonly restartWindowMs: number
  private readonly backoffMs: (n: number) => number
  private readonly now: () => number

  constructor(private readonly opts: SupervisorOptions) {
    this.maxRestarts = opts.maxRestarts ?? 5
    this.restartWindowMs = opts.restartWindowMs ?? 60_000
    this.backoffMs = opts.backoffMs ?? defaultBackoff
    this.now = opts.now ?? Date.now
  }

  get state(): SupervisedState {
    return this.stateNow
  }

  /** The running gateway's address and token (the last one's while restarting). */
  get ready(): ReadyMessage | undefined {
    return this.current
  }

  onNotice(listener: (n: SupervisorNotice) => void): void {
    this.noticeListeners.add(listener)
  }

  /** Called after each restart with the new process's address (the same port unless it was taken). */
  onRestart(listener: (ready: ReadyMessage) => void): void {
    this.readyListeners.add(listener)
  }

  /** The first start: rejects with the gateway's own message when it cannot start (nothing is retried). */
  async start(ports: number[]): Promise<ReadyMessage> {
    this.current = await this.launch(ports)
    this.stateNow = 'running'
    return this.current
  }

  /**
   * One request to the running gateway; rejects with GatewayUnavailableError when there is none, or when it
   * does not answer within `timeoutMs` (a gateway stuck in a loop must not hang the tray or a quit).
   */
  request(req: GatewayRequest, timeoutMs = REQUEST_TIMEOUT_MS): Promise<unknown> {
    const child = this.child
    if (!child || (this.stateNow !== 'running' && req.op !== 'close')) {
      return Promise.reject(new GatewayUnavailableError(`the gateway is not running (${this.stateNow})`))
    }
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new GatewayUnavailableError(`the gateway did not answer '${req.op}' within ${timeoutMs / 1000} s`))
      }, timeoutMs)
      const settle = () => {
        clearTimeout(timer)
        this.pending.delete(id)
      }
      this.pending.set(id, {
        resolve(v) {
          settle()
          resolve(v)
        },
        reject(e) {
          settle()
          reject(e)
        },
      })
      child.send({ type: 'request', id, ...req })
    })
  }

  /** Quit: the gateway writes every queued log row, then its process ends. No restart after this. */
  async close(): Promise<void> {
    if (this.stateNow === 'closed') return
    const wasRunning = this.stateNow === 'running'
    this.stateNow = 'closed'
    clearTimeout(this.restartTimer)
    const child = this.child
    if (!child) return
    const exited = new Promise<void>((resolve) => child.onExit(() => resolve()))
    // A gateway that dies while closing has nothing more to write; its exit settles the request. One that
    // takes longer than its own shutdown grace is ended anyway: quitting must end.
    if (wasRunning) await this.request({ op: 'close' }, this.current!.closeWithinMs + CLOSE_MARGIN_MS).catch(() => {})
    child.kill()
    await exited
  }

  private notify(notice: SupervisorNotice): void {
    for (const l of this.noticeListeners) l(notice)
  }

  /** Starts one process and waits for its ready; its later exit, unless asked for, is a crash. */
  private launch(ports: number[]): Promise<ReadyMessage> {
    const child = this.opts.spawn()
    this.child = child
    let settled = false
    let exitExpected = false
    return new Promise((resolve, reject) => {
      child.onMessage((m) => {
        switch (m.type) {
          case 'ready':
            settled = true
            resolve(m)
            return
          case 'failed':
            settled = true
            exitExpected = true
            child.kill()
            reject(new Error(m.message))
            return
          case 'reply': {
            const waiting = this.pending.get(m.id)
            this.pending.delete(m.id)
            if (m.ok) waiting?.resolve(m.value)
            else waiting?.reject(new Error(m.message))
            return
          }
          case 'notice':
            this.notify({ level: m.level, message: m.message })
            return
          case 'secret':
            this.opts.onSecret?.({ store: m.store, name: m.name, value: m.value })
            return
        }
      })
      child.onExit((exit) => {
        if (this.child === child) this.child = undefined
        for (const [id, waiting] of this.pending) {
          this.pending.delete(id)
          waiting.reject(new GatewayUnavailableError(`the gateway process ended (${describeExit(exit)})`))
        }
        if (!settled) {
          settled = true
          reject(new Error(`the gateway process ended before it was ready (${describeExit(exit)})`))
        } else if (!exitExpected && this.stateNow === 'running') this.crashed(describeExit(exit))
      })
      child.send(this.opts.startMessage(ports))
    })
  }

  private crashed(reason: string): void {
    const now = this.now()
    this.crashes = this.crashes.filter((t) => now - t < this.restartWindowMs)
    this.crashes.push(now)
    if (this.crashes.length > this.maxRestarts) {
      this.stateNow = 'failed'
      this.notify({
        level: 'error',
        message:
          `The gateway stopped ${this.crashes.length} times within ${Math.round(this.restartWindowMs / 1000)} s and ` +
          `was not restarted (the last time: ${reason}). Quit and reopen Switchyard to try again.`,
      })
      return
    }
    this.stateNow = 'restarting'
    this.restartTimer = setTimeout(() => void this.restart(reason), this.backoffMs(this.crashes.length))
  }

  private async restart(reason: string): Promise<void> {
    if (this.stateNow !== 'restarting') return
    const before = this.current?.port
    let ready: ReadyMessage
    try {
      ready = await this.launch(before ? [before] : [])
    } catch (err) {
      if (this.stateNow !== 'restarting') return
      // A gateway that cannot start again counts as another stop: the bound above ends the attempts.
      return this.crashed(`it could not start again: ${(err as Error).message}`)
    }
    if (this.stateNow !== 'restarting') return
    this.current = ready
    this.stateNow = 'running'
    const moved = ready.port !== before ? ` on port ${ready.port} (port ${before} was taken)` : ''
    this.notify({ level: 'warning', message: `The gateway stopped unexpectedly (${reason}) and was restarted${moved}` })
    for (const l of this.readyListeners) l(ready)
  }
}
