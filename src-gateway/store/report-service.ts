import { on } from 'node:events'
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises'
import { Worker } from 'node:worker_threads'
import { type ErrorKind, GatewayError, type GatewayErrorOptions } from '../core/errors.js'
import type { Db } from './db.js'
import { exportChunks } from './log-export.js'
import { type ExportJob, type ReportJob, runReport } from './report-jobs.js'
import { rollUpNewRows } from './rollups.js'

export interface ReportLimits {
  /** Jobs waiting or running at once; one more is refused with a 503 (`reports_busy`). */
  queue: number
  /** A job not answered within this is refused with a 503 (`report_timeout`) and the worker restarted. */
  timeoutMs: number
  /** An export's pace at most (default EXPORT_BYTES_PER_S). */
  exportBytesPerS?: number
}

/**
 * A page reloaded a few times over stays well within the queue; a client that loops on reports without
 * waiting for them does not. A 30-day Overview at 1M rows takes ~0.15 s in the worker (up to ~1 s on a busy
 * 2-core machine); a minute means the worker is stuck.
 */
export const DEFAULT_REPORT_LIMITS: ReportLimits = { queue: 32, timeoutMs: 60_000 }
/** The report worker's nice value (Linux): with both cores busy, the request thread gets ~10x its CPU share. */
export const REPORT_NICE = 10
/** Exports running at once, each in its own worker; one more is refused with a 503 (`exports_busy`). */
export const MAX_EXPORTS = 2
/**
 * An export's pace at most: 6 MB/s per core. Unpaced, a client on the same machine reads 60+ MB/s, and the
 * download alone (its reading, the gateway's socket writes) keeps both cores of a small machine busy: proxied
 * p99 tripled (2.6x at 24 MB/s, 1.5x at 12 MB/s on 2 cores). At 12 MB/s a million rows (~670 MB of JSONL) take
 * about a minute; the Logs page shows the progress, and a time range makes a big export small.
 */
export const EXPORT_BYTES_PER_S = 6 * 1024 * 1024 * availableParallelism()

interface Pending {
  resolve(json: string): void
  reject(err: Error): void
  timer: NodeJS.Timeout
  /** The worker running it: a job outlives neither. */
  worker: Worker
}

interface PlainError {
  kind: ErrorKind
  message: string
  opts: GatewayErrorOptions
}
type WorkerReply = { id: number; json: string } | { id: number; error: PlainError }
type ExportReply = { chunk: Uint8Array } | { done: true } | { error: PlainError }

const unavailable = (message: string, code: string) => new GatewayError('internal', message, { status: 503, code })

/**
 * The worker's entry: the compiled `report-worker.js` beside this module (the headless build's
 * dist/gateway/store/, or the Electron main bundle's out/main/, where it is a second entry), else the
 * TypeScript source (vitest, tsx), through a small bootstrap that registers tsx in the worker first.
 */
function workerEntry(): URL {
  const js = new URL('./report-worker.js', import.meta.url)
  if (existsSync(js)) return js
  const ts = new URL('./report-worker.ts', import.meta.url).href
  const tsx = import.meta.resolve('tsx/esm/api')
  const boot = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(ts)})`
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`)
}

/**
 * Runs report jobs (stats, the Overview, log pages and search) off the request thread (issue 23): in a
 * `worker_threads` worker with its own read-only connection to the database file, so the event loop that
 * serves proxied calls only posts a message and awaits the answer. The worker starts with the first report
 * and is started again after it dies or is stopped for a timeout; jobs it held get a 503 and the next report
 * goes to the new one. An in-memory database (tests) cannot be shared with a worker: its jobs run in-process.
 */
export class ReportService {
  private worker: Worker | undefined
  private readonly exports = new Set<Worker>()
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private closed = false

  constructor(
    private readonly db: Db,
    private readonly limits: ReportLimits = DEFAULT_REPORT_LIMITS,
    private readonly entry: () => URL = workerEntry,
  ) {}

  /** The job's answer as JSON text, for the endpoint to send as it is. */
  async run(job: ReportJob): Promise<string> {
    if (this.db.memory) return JSON.stringify(await runReport(this.db, job))
    if (this.closed) throw unavailable('the gateway is shutting down', 'reports_closed')
    if (this.pending.size >= this.limits.queue)
      throw unavailable(
        `too many reports at once (${this.limits.queue} waiting or running): try again when they have answered`,
        'reports_busy',
      )
    // The worker cannot write: rows that reached the log other than through the log writer (which rolls up
    // as it writes) are rolled up here for the reports read from the rollups, which costs one indexed look-up
    // when there are none.
    if (job.kind === 'stats' || job.kind === 'overview' || job.kind === 'spend') rollUpNewRows(this.db, job.now)
    const worker = this.started()
    const id = this.nextId++
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle(id)?.reject(
          unavailable(
            `the report took longer than ${this.limits.timeoutMs / 1000} s and was stopped`,
            'report_timeout',
          ),
        )
        void this.stop(worker, 'a report before it took too long and was stopped')
      }, this.limits.timeoutMs)
      timer.unref()
      this.pending.set(id, { resolve, reject, timer, worker })
      worker.postMessage({ id, job })
    })
  }

  /**
   * An export's text as UTF-8, chunk by chunk, read in a worker of its own (an export over a big log takes minutes: in
   * the report worker it would hold every Overview and Logs page behind it). The worker reads the next chunk
   * while this one is written, and no further: the consumer's pace (the socket's) sets the reading's. Ending
   * the iteration early (the client went away) ends the worker. Refusals (too many exports, shutting down) are
   * thrown here, before the answer starts, so they reach the client as a 503.
   */
  startExport(job: ExportJob): AsyncGenerator<Buffer> {
    if (this.db.memory) return inProcess(this.db, job)
    if (this.closed) throw unavailable('the gateway is shutting down', 'reports_closed')
    if (this.exports.size >= MAX_EXPORTS)
      throw unavailable(`${MAX_EXPORTS} exports are running: try again when one has finished`, 'exports_busy')
    const worker = new Worker(this.entry(), {
      workerData: { file: this.db.name, nice: REPORT_NICE, exportJob: job },
    })
    worker.unref()
    this.exports.add(worker)
    const chunks = this.pull(worker)
    // A generator ended before its first step never runs its finally: a client gone before the first chunk
    // must still end the worker and give its place back, or two such clients would refuse every later export.
    const end = chunks.return.bind(chunks)
    chunks.return = (value) => {
      this.exports.delete(worker)
      void worker.terminate()
      return end(value)
    }
    return chunks
  }

  private async *pull(worker: Worker): AsyncGenerator<Buffer> {
    const exited = new AbortController()
    let failure: Error | undefined
    worker.on('error', (err) => {
      failure = err
    })
    worker.on('exit', () => exited.abort())
    try {
      const replies = on(worker, 'message', { signal: exited.signal })
      const t0 = performance.now()
      let sent = 0
      worker.postMessage('next')
      for await (const [reply] of replies as AsyncIterable<[ExportReply]>) {
        if ('done' in reply) return
        if ('error' in reply) throw new GatewayError(reply.error.kind, reply.error.message, reply.error.opts)
        sent += reply.chunk.byteLength
        const early = (sent / (this.limits.exportBytesPerS ?? EXPORT_BYTES_PER_S)) * 1000 - (performance.now() - t0)
        if (early > 0) await sleep(early)
        worker.postMessage('next')
        yield Buffer.from(reply.chunk.buffer, reply.chunk.byteOffset, reply.chunk.byteLength)
      }
    } catch (err) {
      if (!exited.signal.aborted) throw err
      const why = failure ? `failed: ${failure.message}` : this.closed ? 'was stopped: shutting down' : 'exited'
      throw unavailable(`the export's worker ${why}`, 'report_worker_exited')
    } finally {
      this.exports.delete(worker)
      await worker.terminate()
    }
  }

  /** Stops the workers; jobs still waiting get a 503, exports still running end with an error. */
  async close(): Promise<void> {
    this.closed = true
    await Promise.all([...this.exports].map((w) => w.terminate()))
    if (this.worker) await this.stop(this.worker, 'the gateway is shutting down')
  }

  private started(): Worker {
    if (this.worker) return this.worker
    const worker = new Worker(this.entry(), { workerData: { file: this.db.name, nice: REPORT_NICE } })
    // Never what keeps the process alive: the server is, while it has reports to ask for.
    worker.unref()
    let failure: Error | undefined
    worker.on('message', (reply: WorkerReply) => {
      const job = this.settle(reply.id)
      if (!job) return
      if ('error' in reply) job.reject(new GatewayError(reply.error.kind, reply.error.message, reply.error.opts))
      else job.resolve(reply.json)
    })
    worker.on('error', (err) => {
      failure = err
    })
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined
      const why = failure ? `failed: ${failure.message}` : `exited with code ${code}`
      this.failAll(
        worker,
        unavailable(`the report worker ${why}; it starts again with the next report`, 'report_worker_exited'),
      )
    })
    this.worker = worker
    return worker
  }

  /** Ends `worker` (if it is still the current one); the jobs it held get a 503 saying `why`. */
  private async stop(worker: Worker, why: string): Promise<void> {
    if (this.worker !== worker) return
    this.worker = undefined
    this.failAll(worker, unavailable(`the report worker was restarted: ${why}`, 'report_worker_exited'))
    await worker.terminate()
  }

  private failAll(worker: Worker, err: Error): void {
    for (const [id, job] of [...this.pending]) if (job.worker === worker) this.settle(id)?.reject(err)
  }

  /** Takes a job off the pending list (undefined when it was already answered or failed). */
  private settle(id: number): Pending | undefined {
    const job = this.pending.get(id)
    if (!job) return undefined
    this.pending.delete(id)
    clearTimeout(job.timer)
    return job
  }
}

/** An in-memory database's export (tests): read on the gateway's thread, with a turn of the event loop per chunk. */
async function* inProcess(db: Db, job: ExportJob): AsyncGenerator<Buffer> {
  for (const chunk of exportChunks(db, job.filter, job.format)) {
    yield Buffer.from(chunk)
    await nextTurn()
  }
}
