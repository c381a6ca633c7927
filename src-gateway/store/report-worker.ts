/**
 * The report worker's entry (a `worker_threads` worker; see report-service.ts): runs report jobs on its own
 * read-only connection, so a month's stats or a search over a big log never holds the gateway's event loop.
 * Jobs arrive as `{ id, job }` and are answered `{ id, json }` (the answer as the JSON text the endpoint sends:
 * the gateway's thread then neither copies an object graph across nor serializes it) or `{ id, error }`.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { GatewayError } from '../core/errors.js'
import { openReadOnly, type ReportJob, runReport } from './report-jobs.js'

const db = openReadOnly((workerData as { file: string }).file)
const port = parentPort!

port.on('message', async ({ id, job }: { id: number; job: ReportJob }) => {
  try {
    port.postMessage({ id, json: JSON.stringify(await runReport(db, job)) })
  } catch (err) {
    // Errors cross to the gateway as plain data; a GatewayError keeps its kind and options (not its cause).
    const e = err as Error
    const { cause: _, ...opts } = err instanceof GatewayError ? err.opts : {}
    port.postMessage({
      id,
      error: { kind: err instanceof GatewayError ? err.kind : 'internal', message: e.message, opts },
    })
  }
})
