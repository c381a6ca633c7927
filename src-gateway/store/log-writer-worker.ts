/**
 * The log writer's worker entry (a `worker_threads` worker; see log-writer-thread.ts): writes the request log's
 * batches (rows, bodies, search index, rollups) on its own connection to the database file, so the thread that
 * serves calls only queues rows and posts one message per flush. Messages arrive in order on `workerData.port`:
 * `{ type: 'write', id, events, costs }` is answered `{ id }` or `{ id, error }`, after which `signal[0]` is
 * bumped and notified (the gateway's `flush()` waits on it); `{ type: 'secrets', secrets }` replaces the
 * secrets to strip; `{ type: 'close' }` closes the connection and ends the thread.
 */

import { type MessagePort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'
import type { LogEvent } from '../core/log-event.js'
import { createLogStore } from './log-writer-store.js'

export interface LogWorkerData {
  file: string
  storeBodies: boolean
  secrets: string[]
  port: MessagePort
  signal: SharedArrayBuffer
}

export type LogWorkerMessage =
  | { type: 'write'; id: number; events: LogEvent[]; costs: (number | null)[] }
  | { type: 'secrets'; secrets: string[] }
  | { type: 'close' }

export type LogWorkerReply = { id: number; error?: string }

const { file, storeBodies, secrets, port, signal } = workerData as LogWorkerData
const bell = new Int32Array(signal)
// Running: the gateway's thread may set its young generation's cap again (log-writer-thread.ts).
Atomics.store(bell, 1, 1)
Atomics.notify(bell, 1)
const db = new Database(file)
// As the gateway's own connection (db.ts); WAL and auto_vacuum are properties of the file, set there.
db.pragma('synchronous = NORMAL')
db.pragma('foreign_keys = ON')
db.pragma('busy_timeout = 5000')
db.pragma('cache_size = -2000')
const store = createLogStore(db, { storeBodies, secrets })

const reply = (message: LogWorkerReply) => {
  port.postMessage(message)
  Atomics.add(bell, 0, 1)
  Atomics.notify(bell, 0)
}

port.on('message', (m: LogWorkerMessage) => {
  if (m.type === 'secrets') store.setSecrets(m.secrets)
  else if (m.type === 'close') {
    db.close()
    port.close()
  } else {
    try {
      store.write(m.events, m.costs)
      reply({ id: m.id })
    } catch (err) {
      reply({ id: m.id, error: (err as Error).message })
    }
  }
})
