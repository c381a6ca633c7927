import cluster from 'node:cluster'
import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { type FromWorker, HOST_ENV, type SignInInfo, SLOT_ENV, type ToWorker } from './worker-messages.js'

/** A worker of `serve --workers`: how it gets its connections and spends sign-in codes through the primary. */
export interface WorkerLink {
  /** This worker's place among the N (0-based); a replacement takes the place of the one that died. */
  slot: number
  /** The address the primary listens on. */
  host: string
  /** Spends a one-time sign-in code the primary printed. */
  redeemCode(code: string): Promise<boolean>
  /** Starts taking the connections the primary hands over, into `server`, and tells the primary it is ready. */
  serve(server: Server, signIn: SignInInfo): void
  /** Called once if the primary goes away (killed): the worker then closes as on SIGTERM. */
  onPrimaryGone(listener: () => void): void
}

/** The link when this process is a worker forked by `serve --workers`, else undefined. */
export function workerLink(): WorkerLink | undefined {
  const send = process.send?.bind(process)
  const slot = process.env[SLOT_ENV]
  const host = process.env[HOST_ENV]
  if (!cluster.isWorker || !send || slot === undefined || host === undefined) return undefined
  const pending = new Map<number, (ok: boolean) => void>()
  let nextId = 0
  const post = (m: FromWorker) => send(m)
  // With the primary gone no code can be spent: a sign-in waiting on one is refused rather than left hanging.
  process.once('disconnect', () => {
    for (const resolve of pending.values()) resolve(false)
    pending.clear()
  })
  process.on('message', (m: ToWorker) => {
    if (m.type === 'redeemed') {
      pending.get(m.id)?.(m.ok)
      pending.delete(m.id)
    }
  })
  return {
    slot: Number(slot),
    host,
    redeemCode(code) {
      const id = nextId++
      return new Promise<boolean>((resolve) => {
        if (!process.connected) return resolve(false)
        pending.set(id, resolve)
        post({ type: 'redeem', id, code })
      })
    },
    serve(server, signIn) {
      process.on('message', (m: ToWorker, socket?: Socket) => {
        if (m.type !== 'connection' || !socket) return
        // The primary read the start of the stream to place it: it goes back in front of what the socket reads next.
        server.emit('connection', socket)
        const head = Buffer.from(m.head, 'base64')
        if (head.length > 0) socket.unshift(head)
        socket.resume()
      })
      post({ type: 'ready', ...signIn })
    },
    onPrimaryGone(listener) {
      process.once('disconnect', listener)
    },
  }
}
