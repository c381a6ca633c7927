/**
 * Steady proxied traffic with a report running in a loop beside it (issue 23): what the scale bench
 * (test/bench/scale.ts) prints and the scale tests (test/scale/) assert. An action is one report as the UI
 * runs it; ACTIONS is the table of them, to append to (search, export and retention belong here too).
 */
import { Worker } from 'node:worker_threads'
import { RARE_TERMS } from '../helpers/fill-log.js'

export interface Target {
  /** The gateway's base URL. */
  url: string
  /** Headers that open /admin (the admin bearer token). */
  admin: Record<string, string>
  /** A model the gateway serves from its mock upstream. */
  model: string
}

export interface Action {
  name: string
  /** One run of the report, resolved when the UI would have everything it asked for. */
  run(t: Target): Promise<void>
}

async function adminGet(t: Target, path: string): Promise<void> {
  const res = await fetch(`${t.url}${path}`, { headers: t.admin })
  await res.arrayBuffer()
  if (!res.ok) throw new Error(`${path} answered ${res.status}`)
}

/** The call one Overview refresh makes for a range: its KPIs, charts and previous period in one. */
export function overviewCall(rangeMs: number, bucket: '5m' | 'hour' | 'day', now = Date.now()): string {
  const to = new Date(now).toISOString()
  const from = new Date(now - rangeMs).toISOString()
  return `/admin/v1/stats/overview?from=${from}&to=${to}&bucket=${bucket}&groupBy=model`
}

const DAY = 86_400_000
// Before issue 23's report worker, a refresh was four /admin/v1/stats calls (overall, by model, by provider,
// previous period), read on the request thread.
const overview = (name: string, rangeMs: number, bucket: '5m' | 'hour' | 'day'): Action => ({
  name,
  run: (t) => adminGet(t, overviewCall(rangeMs, bucket)),
})

/** The Logs page: a search as typed (a rare word, then two common ones), filtered pages, and a whole export. */
const logs = (name: string, paths: string[]): Action => ({
  name,
  run: async (t) => {
    for (const path of paths) await adminGet(t, path)
  },
})

export const ACTIONS: Action[] = [
  overview('overview 24h', DAY, 'hour'),
  overview('overview 7d', 7 * DAY, 'day'),
  overview('overview 30d', 30 * DAY, 'day'),
  logs('logs search', [`/admin/v1/logs?limit=100&q=${RARE_TERMS.body}`, '/admin/v1/logs?limit=100&q=unit%20test']),
  logs('logs filters', ['/admin/v1/logs?limit=100&provider=ollama', '/admin/v1/logs?limit=100&key=alice&status=error']),
  {
    name: 'logs export',
    // Read and dropped as it streams, as a download to disk does: holding 600 MB in the bench's own heap would
    // stall the bench's own clock.
    run: async (t) => {
      const res = await fetch(`${t.url}/admin/v1/logs/export?format=jsonl`, { headers: t.admin })
      if (!res.ok || !res.body) throw new Error(`export answered ${res.status}`)
      const reader = res.body.getReader()
      while (!(await reader.read()).done) {
        // dropped
      }
    },
  },
]

export interface Summary {
  sent: number
  answered: number
  p50: number | null
  p99: number | null
  max: number | null
}

export function summarize(latencies: number[], sent: number): Summary {
  const sorted = Float64Array.from(latencies).sort()
  const at = (p: number) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] : null
  return { sent, answered: sorted.length, p50: at(0.5), p99: at(0.99), max: at(1) }
}

/**
 * Runs `action` back to back in a worker thread (test/bench/action-loop.ts) until `stop()`, which answers its
 * run times. The worker loads the TypeScript entry through tsx, as the report worker does under vitest.
 */
function actionLoop(action: Action, t: Target): { stop(): Promise<number[]> } {
  const entry = new URL('./action-loop.ts', import.meta.url).href
  const tsx = import.meta.resolve('tsx/esm/api')
  const boot = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(entry)})`
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), {
    workerData: { name: action.name, target: t },
  })
  const runs = new Promise<number[]>((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  return {
    stop: async () => {
      worker.postMessage('stop')
      const times = await runs
      await worker.terminate()
      return times
    },
  }
}

/**
 * Sends one proxied chat call every 1000/rps ms for `ms` (open loop: a slow answer never delays the next
 * call), each given `timeoutMs`; meanwhile runs `action` back to back if given, in a worker thread. Returns the proxied latencies
 * and the action's run times.
 */
export async function measure(
  t: Target,
  opts: { rps: number; ms: number; timeoutMs?: number; action?: Action },
): Promise<{ proxied: Summary; action: Summary | null }> {
  const { rps, ms, timeoutMs = 30_000, action } = opts
  const latencies: number[] = []
  const calls: Promise<void>[] = []
  const runs: number[] = []
  const started = performance.now()
  const loop = action ? actionLoop(action, t) : undefined
  const body = JSON.stringify({ model: t.model, messages: [{ role: 'user', content: 'ping' }], max_tokens: 8 })
  for (let i = 0; started + (i * 1000) / rps < started + ms; i++) {
    const due = started + (i * 1000) / rps
    const wait = due - performance.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    calls.push(
      (async () => {
        const t0 = performance.now()
        try {
          const res = await fetch(`${t.url}/v1/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...t.admin },
            body,
            signal: AbortSignal.timeout(timeoutMs),
          })
          await res.arrayBuffer()
          if (res.ok) latencies.push(performance.now() - t0)
        } catch {
          // Unanswered within the timeout: counted as sent, not answered.
        }
      })(),
    )
  }
  await Promise.all(calls)
  if (loop) runs.push(...(await loop.stop()))
  return { proxied: summarize(latencies, calls.length), action: action ? summarize(runs, runs.length) : null }
}
