import { existsSync } from 'node:fs'
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads'
import type { LogEvent } from '../core/log-event.js'
import { governsYoungGeneration, isolateStarted } from '../young-generation.js'
import { hasBody } from './log-writer-store.js'
import type { LogWorkerData, LogWorkerMessage, LogWorkerReply } from './log-writer-worker.js'

/** The worker died or stopped answering: the batch was not written, and the database may be fine. */
export class LogThreadStopped extends Error {
  override name = 'LogThreadStopped'
}

/** Told once per batch: no error when it was written, else why not (the rows stay queued). */
export type WriteDone = (error?: Error) => void

/** A batch sink: the writer's SQLite work in a worker thread with its own connection to the database file. */
export interface LogThread {
  /** Posts one batch; `done` runs on a later turn, or inside `settle()`. One batch at a time. */
  write(events: LogEvent[], costs: (number | null)[], done: WriteDone): void
  /** Blocks until the batch in flight (if any) has been answered and its `done` has run. */
  settle(): void
  setSecrets(secrets: Iterable<string>): void
  /** Closes the worker's connection and ends it. */
  close(): Promise<void>
}

/**
 * A worker that has not answered a batch in this long is taken for dead: the batch fails and its rows go to the
 * gateway's own connection. A batch takes milliseconds (up to busy_timeout behind another writer); a worker
 * that never started (a broken install) must not hold a flush() for long.
 */
const SETTLE_TIMEOUT_MS = 10_000
const STOP_TIMEOUT_MS = 5_000
const WORKER_YOUNG_GENERATION_MB = 8
/** The longest the gateway's thread waits for a new writer thread to run (a thread that never does is lost anyway). */
const WORKER_BOOT_WAIT_MS = 1000

/**
 * The worker's entry: the compiled `log-writer-worker.js` beside this module (the headless build's
 * dist/gateway/store/, or the Electron main bundle's out/main/, where it is an entry of its own), else the
 * TypeScript source (vitest, tsx), through a small bootstrap that registers tsx in the worker first.
 */
function workerEntry(): URL {
  const js = new URL('./log-writer-worker.js', import.meta.url)
  if (existsSync(js)) return js
  const ts = new URL('./log-writer-worker.ts', import.meta.url)
  const tsx = import.meta.resolve('tsx/esm/api')
  const boot = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(ts.href)})`
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`)
}

/**
 * A row whose body cannot cross to the worker (a function or a symbol in it) crosses without the body, as the
 * in-process writer stores a row whose body cannot be serialized. Only called when the batch as a whole failed.
 */
function cloneable(events: LogEvent[]): LogEvent[] {
  return events.map((e) => {
    if (!hasBody(e)) return e
    try {
      structuredClone([e.requestBody, e.responseBody])
      return e
    } catch {
      return { ...e, requestBody: undefined, responseBody: undefined }
    }
  })
}

export function startLogThread(
  file: string,
  options: { storeBodies: boolean; secrets: Iterable<string> },
  entry: () => URL = workerEntry,
): LogThread {
  let secrets = [...options.secrets]
  let worker: Worker | undefined
  let port: MessagePort | undefined
  let bell: Int32Array | undefined
  let nextId = 1
  let inFlight: { id: number; done: WriteDone } | undefined

  const answered = (m: LogWorkerReply, stopped = false) => {
    if (!inFlight || m.id !== inFlight.id) return
    const { done } = inFlight
    inFlight = undefined
    if (m.error === undefined) done()
    else done(stopped ? new LogThreadStopped(m.error) : new Error(m.error))
  }

  /** The worker went away (crashed, or was taken for dead): the batch it held fails and the next starts a new one. */
  const lost = (why: string) => {
    const w = worker
    worker = undefined
    port?.close()
    port = undefined
    void w?.terminate()
    if (inFlight) answered({ id: inFlight.id, error: `the log writer thread stopped (${why})` }, true)
  }

  const started = (): MessagePort => {
    if (worker && port) return port
    const channel = new MessageChannel()
    // [0] counts answered batches (flush() waits on it); [1] turns 1 once the thread runs its first JavaScript.
    const signal = new SharedArrayBuffer(8)
    const data: LogWorkerData = { file, storeBodies: options.storeBodies, secrets, port: channel.port2, signal }
    const w = new Worker(entry(), {
      workerData: data,
      transferList: [channel.port2],
      // Its garbage is a batch's rows at a time: a small young generation keeps the thread's memory small (the
      // gateway's own is capped the same way, memory-tuning.ts).
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    })
    w.unref()
    if (governsYoungGeneration()) {
      // The new isolate reset the process's young-generation growth factor; this thread waits (once per thread, a
      // few tens of ms) for it to run, allocating nothing meanwhile, then sets the cap's factor again. Without the
      // wait the scavenge in between doubled the young generation to 32 MB (test/gateway/memory-tuning.test.ts).
      Atomics.wait(new Int32Array(signal), 1, 0, WORKER_BOOT_WAIT_MS)
      isolateStarted()
    }
    w.on('error', (err) => {
      if (worker === w) lost(err.message)
    })
    w.on('exit', (code) => {
      if (worker === w) lost(`exit code ${code}`)
    })
    channel.port1.on('message', answered)
    channel.port1.unref()
    worker = w
    port = channel.port1
    bell = new Int32Array(signal)
    return port
  }

  // Started now, not with the first batch: the rows of the first flush then do not wait for a thread to boot.
  started()
  return {
    write(events, costs, done) {
      const p = started()
      const id = nextId++
      inFlight = { id, done }
      const message = (ev: LogEvent[]): LogWorkerMessage => ({ type: 'write', id, events: ev, costs })
      try {
        p.postMessage(message(events))
      } catch {
        p.postMessage(message(cloneable(events)))
      }
    },
    settle() {
      const deadline = Date.now() + SETTLE_TIMEOUT_MS
      while (inFlight && port && bell) {
        const seen = Atomics.load(bell, 0)
        const m = receiveMessageOnPort(port)
        if (m) {
          answered(m.message as LogWorkerReply)
          continue
        }
        const left = deadline - Date.now()
        if (left <= 0) break
        Atomics.wait(bell, 0, seen, Math.min(left, 1000))
      }
      if (inFlight) lost(`no answer within ${SETTLE_TIMEOUT_MS / 1000} s`)
    },
    setSecrets(next) {
      secrets = [...next]
      port?.postMessage({ type: 'secrets', secrets } satisfies LogWorkerMessage)
    },
    async close() {
      const w = worker
      if (!w || !port) return
      worker = undefined
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()))
      // The worker closes the channel once its connection is closed; a message posted now still arrives.
      port.postMessage({ type: 'close' } satisfies LogWorkerMessage)
      port = undefined
      const timer = setTimeout(() => void w.terminate(), STOP_TIMEOUT_MS)
      await exited
      clearTimeout(timer)
    },
  }
}
