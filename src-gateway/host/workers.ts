import cluster, { type Worker } from 'node:cluster'
import { createHash } from 'node:crypto'
import { createServer, type Server, type Socket } from 'node:net'
import { Sessions } from '../api/edge/sessions.js'
import { type FromWorker, HOST_ENV, type SignInInfo, SLOT_ENV, type ToWorker } from './worker-messages.js'

// `serve --workers N`: this primary process owns the listening socket and the one-time sign-in codes; N workers
// (node:cluster, the same command line) each run a whole gateway and get connections handed to them. The
// primary reads only each connection's first request head, to place it as deploy/nginx.conf places calls:
// model calls round-robin, and everything that lives in one gateway (web UI sign-ins, MCP sessions) on the
// worker chosen by the client's address. Limits, budgets, the cache, config and the log are the workers' shared
// Redis and Postgres, which is why --workers requires both.

/** A request head larger than this is not one of ours to read: the connection is placed round-robin as is. */
const HEAD_MAX_BYTES = 16 * 1024
/** A client that sends no complete head in this long is placed with what it sent (the worker's timeouts apply). */
const HEAD_WAIT_MS = 10_000
/** Connections held while no worker is ready (all of them restarting); past this, new ones are refused. */
const MAX_WAITING = 256
const RESTART_FIRST_MS = 500
const RESTART_MAX_MS = 30_000
/** A worker that ran this long before it died had not been crash-looping: its next restart waits the least. */
const STABLE_MS = 30_000

export interface WorkersOptions {
  count: number
  host: string
  port: number
  /** Prints the banner once every worker is ready: the port, and how to sign in (a code from `codes` in solo mode). */
  banner(info: { port: number; codes: Sessions; signIn: SignInInfo }): void
}

interface Slot {
  index: number
  worker?: Worker
  ready: boolean
  startedAt: number
  /** Restarts in a row that followed a short life: the backoff's exponent. */
  crashes: number
  restartTimer?: NodeJS.Timeout
}

/**
 * Whether a request must reach the worker that holds its client's sessions: the web UI, /admin, /auth, /mcp and
 * any call carrying a web UI session cookie. Model calls without one (/v1/, Ollama's /api/) go round-robin.
 */
export function needsAffinity(head: string): boolean {
  const lineEnd = head.indexOf('\r\n')
  const path = (lineEnd === -1 ? head : head.slice(0, lineEnd)).split(' ')[1] ?? ''
  if (!path.startsWith('/v1/') && !path.startsWith('/api/')) return true
  return /\r\ncookie:[^\r\n]*\bswitchyard_session=[^;\s]/i.test(head)
}

/**
 * The slot for a client address among the ready ones: rendezvous hashing, so a worker that dies moves only its
 * own clients (who sign in again, as after a restart) and the others keep theirs.
 */
export function slotForAddress(address: string, ready: readonly number[]): number {
  let best = ready[0]
  let bestScore = -1
  for (const slot of ready) {
    const score = createHash('sha256').update(`${address}/${slot}`).digest().readUInt32BE(0)
    if (score > bestScore) {
      best = slot
      bestScore = score
    }
  }
  return best
}

/** Runs the primary until SIGTERM/SIGINT has drained every worker; resolves with the exit code to use. */
export function runWorkers(opts: WorkersOptions): Promise<number> {
  const slots: Slot[] = Array.from({ length: opts.count }, (_, index) => ({
    index,
    ready: false,
    startedAt: 0,
    crashes: 0,
  }))
  const codes = new Sessions()
  const waiting: { socket: Socket; head: Buffer; affinity: boolean }[] = []
  let listener: Server | undefined
  let boundAddress = opts.host
  let turn = 0
  let stopping = false
  let started = false
  let signIn: SignInInfo = { mode: 'solo' }
  let finish: (code: number) => void = () => {}
  const done = new Promise<number>((resolve) => {
    finish = resolve
  })
  let exitCode = 0

  const readySlots = () => slots.filter((s) => s.ready && s.worker).map((s) => s.index)

  const hand = (socket: Socket, head: Buffer, affinity: boolean) => {
    const ready = readySlots()
    if (ready.length === 0) {
      if (waiting.length >= MAX_WAITING) return void socket.destroy()
      waiting.push({ socket, head, affinity })
      return
    }
    turn = (turn + 1) % ready.length
    const slot = affinity ? slotForAddress(socket.remoteAddress ?? '', ready) : ready[turn]
    const worker = slots[slot].worker!
    const message: ToWorker = { type: 'connection', head: head.toString('base64') }
    worker.send(message, socket, (err) => {
      if (err) socket.destroy()
    })
  }

  const accept = (socket: Socket) => {
    if (stopping) return void socket.destroy()
    let head = Buffer.alloc(0)
    const place = () => {
      clearTimeout(timer)
      socket.off('data', onData)
      socket.off('error', onError)
      socket.pause()
      hand(socket, head, needsAffinity(head.toString('latin1')))
    }
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk])
      if (head.includes('\r\n\r\n') || head.length >= HEAD_MAX_BYTES) place()
    }
    const onError = () => {
      clearTimeout(timer)
      socket.destroy()
    }
    const timer = setTimeout(place, HEAD_WAIT_MS)
    socket.on('data', onData)
    socket.on('error', onError)
    socket.once('close', () => clearTimeout(timer))
    socket.resume()
  }

  const fork = (slot: Slot) => {
    slot.ready = false
    slot.startedAt = Date.now()
    const worker = cluster.fork({ [SLOT_ENV]: String(slot.index), [HOST_ENV]: boundAddress })
    slot.worker = worker
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        slot.ready = true
        if (slot.index === 0 && !started)
          signIn = m.mode === 'team' ? { mode: 'team', teamSetupToken: m.teamSetupToken } : m
        process.stdout.write(`switchyard: worker ${slot.index + 1} ready (pid ${worker.process.pid})\n`)
        if (!started && slots.every((s) => s.ready)) {
          started = true
          const addr = listener?.address()
          opts.banner({ port: addr && typeof addr === 'object' ? addr.port : opts.port, codes, signIn })
        }
        for (const w of waiting.splice(0)) hand(w.socket, w.head, w.affinity)
      } else if (m.type === 'redeem') {
        const reply: ToWorker = { type: 'redeemed', id: m.id, ok: codes.redeem(m.code) }
        worker.send(reply)
      }
    })
    worker.on('exit', (code, signal) => {
      slot.ready = false
      slot.worker = undefined
      if (stopping) {
        if (code !== 0) exitCode = 1
        if (slots.every((s) => !s.worker)) finish(exitCode)
        return
      }
      const how = signal ? `signal ${signal}` : `code ${code}`
      if (!started) {
        // A worker that cannot start (config, database, port): the others would fail alike; its own stderr says why.
        process.stderr.write(`switchyard: worker ${slot.index + 1} could not start (exit ${how})\n`)
        exitCode = 1
        stop()
        return
      }
      slot.crashes = Date.now() - slot.startedAt >= STABLE_MS ? 1 : slot.crashes + 1
      const delay = Math.min(RESTART_MAX_MS, RESTART_FIRST_MS * 2 ** (slot.crashes - 1))
      process.stderr.write(
        `switchyard: worker ${slot.index + 1} (pid ${worker.process.pid}) exited (${how}); starting another in ${delay / 1000} s\n`,
      )
      slot.restartTimer = setTimeout(() => {
        slot.restartTimer = undefined
        if (!stopping) fork(slot)
      }, delay)
    })
  }

  const stop = (signal?: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    if (signal) process.stdout.write(`switchyard: ${signal}, stopping ${opts.count} workers\n`)
    listener?.close()
    for (const w of waiting.splice(0)) w.socket.destroy()
    for (const slot of slots) {
      clearTimeout(slot.restartTimer)
      // Each worker drains its own calls in flight (server.shutdownGraceMs) and flushes its log rows.
      slot.worker?.process.kill('SIGTERM')
    }
    if (slots.every((s) => !s.worker)) finish(exitCode)
  }

  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))

  // pauseOnConnect: the head is read here and the socket handed over paused, so no byte is read by two processes.
  listener = createServer({ pauseOnConnect: true }, accept)
  listener.once('error', (err: NodeJS.ErrnoException) => {
    const message =
      err.code === 'EADDRINUSE'
        ? `port ${opts.port} on ${opts.host} is already in use (another Switchyard?). Pick another with --port.`
        : err.code === 'EADDRNOTAVAIL'
          ? `cannot bind to ${opts.host}: no such local address`
          : err.message
    process.stderr.write(`switchyard: ${message}\n`)
    exitCode = 1
    stop()
  })
  listener.listen(opts.port, opts.host, () => {
    const addr = listener?.address()
    if (addr && typeof addr === 'object') boundAddress = addr.address
    for (const slot of slots) fork(slot)
  })
  return done
}
