// The real report worker (src-gateway/store/report-worker.ts, loaded through tsx) with two faults a test
// can ask for through an ordinary job: a log search for `crash-the-worker` ends the thread, as an uncaught
// native error would; one for `hold-the-worker` blocks it for two seconds, as a runaway query would.
import { parentPort } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import('../../src-gateway/store/report-worker.ts')

parentPort.on('message', (message) => {
  const job = message?.job
  if (job?.kind !== 'logs') return
  if (job.filter.q === 'crash-the-worker') process.exit(3)
  if (job.filter.q === 'hold-the-worker') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000)
})
