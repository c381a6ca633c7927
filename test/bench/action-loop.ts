/**
 * A worker thread that runs one report action of ACTIONS back to back until told to stop, then posts its run
 * times. The report's client (the browser downloading an export, the page reading an Overview) is not the
 * proxied callers' client: on the bench's own event loop, reading a 600 MB export would delay the load
 * generator's timers and the mock upstream's answers, and the bench would measure itself.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { ACTIONS, type Target } from './scale-load.js'

const { name, target } = workerData as { name: string; target: Target }
const action = ACTIONS.find((a) => a.name === name)
if (!action) throw new Error(`no action named '${name}'`)
let stop = false
parentPort!.once('message', () => {
  stop = true
})
const runs: number[] = []
while (!stop) {
  const t0 = performance.now()
  await action.run(target)
  runs.push(performance.now() - t0)
}
parentPort!.postMessage(runs)
