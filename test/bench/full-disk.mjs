// `node test/bench/full-disk.mjs [SOURCE_ROOT]`: proxied throughput and latency with request logging to
// a healthy database, then to a full one (SQLite's "database or disk is full" on every write, as on a full
// disk), same load: CONCURRENCY callers (default 32) in a closed loop for SECS seconds (default 30) each,
// non-streamed chat with a ~1 KB prompt against the mock upstream. SOURCE_ROOT is the tree the gateway is
// built from (default this one; an old worktree gives the "before"). CONDITIONS picks them (default
// "healthy full"). Prints one line per condition, then its rate in each 10 s window (a storm shows as a fall).
import { spawn } from 'node:child_process'
import { join, resolve } from 'node:path'
import { Pool } from 'undici'

const here = resolve(import.meta.dirname, '../..')
const root = resolve(process.argv[2] ?? here)
const SECS = Number(process.env.SECS ?? 30)
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32)
const CONDITIONS = (process.env.CONDITIONS ?? 'healthy full').split(/\s+/)
const WINDOW_S = 10

function start(cmd, args, pattern) {
  const child = spawn(cmd, args, { cwd: here, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  const ready = new Promise((res, rej) => {
    child.stdout.on('data', (d) => {
      out += d
      const m = pattern.exec(out)
      if (m) res(Number(m[1]))
    })
    child.once('exit', (code) => rej(new Error(`exited ${code}: ${out}`)))
  })
  return { child, ready, output: () => out }
}

const mock = start(process.execPath, [join(here, 'test/mocks/mock-upstream.mjs'), '--port', '0'], /listening (\d+)/)
const mockUrl = `http://127.0.0.1:${await mock.ready}`
const body = JSON.stringify({
  model: 'mock/mock-gpt',
  messages: [{ role: 'user', content: `Summarise this. ${'lorem ipsum dolor sit amet '.repeat(38)}` }],
})

async function measure(condition) {
  const gw = start(
    process.execPath,
    ['--import', 'tsx', join(here, 'test/bench/full-disk-gateway.ts'), root, mockUrl, condition],
    /port (\d+)/,
  )
  const pool = new Pool(`http://127.0.0.1:${await gw.ready}`, { connections: CONCURRENCY })
  const latencies = []
  const windows = []
  let errors = 0
  const begin = Date.now()
  const end = begin + SECS * 1000
  const caller = async () => {
    while (Date.now() < end) {
      const t0 = performance.now()
      try {
        const res = await pool.request({
          path: '/v1/chat/completions',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        })
        await res.body.text()
        if (res.statusCode !== 200) errors++
      } catch {
        errors++
      }
      latencies.push(performance.now() - t0)
      const w = Math.floor((Date.now() - begin) / (WINDOW_S * 1000))
      windows[w] = (windows[w] ?? 0) + 1
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, caller))
  await pool.close()
  const writerLine = new Promise((res) => gw.child.stdout.on('data', () => /writer (.*)/.test(gw.output()) && res()))
  gw.child.kill('SIGTERM')
  await Promise.race([writerLine, new Promise((r) => setTimeout(r, 5000))])
  latencies.sort((a, b) => a - b)
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]?.toFixed(0)
  const writer = /writer (.*)/.exec(gw.output())?.[1] ?? '?'
  console.log(
    `${condition.padEnd(7)} ${(latencies.length / SECS).toFixed(0).padStart(5)} rps  p50 ${at(0.5)} ms  p99 ${at(0.99)} ms  errors ${errors}  writer ${writer}`,
  )
  const rates = Array.from(windows.slice(0, Math.floor(SECS / WINDOW_S)), (n) => ((n ?? 0) / WINDOW_S).toFixed(0))
  console.log(`        rps per ${WINDOW_S} s: ${rates.join(' ')}`)
}

console.log(`source: ${root}; ${CONCURRENCY} callers, ${SECS} s per condition`)
try {
  for (const condition of CONDITIONS) await measure(condition)
} finally {
  mock.child.kill('SIGTERM')
}
