/**
 * `npm run bench:scale`: proxied latency beside reports over a big request log (issue 23).
 *
 * Fills a data dir to SCALE_ROWS rows over 30 days (test/helpers/fill-log.ts; kept in SCALE_DIR for the next
 * run when set), starts `switchyard serve` from SCALE_ROOT's sources (default this checkout: point it at a
 * worktree of an older commit for the "before" numbers) on it with the mock upstream, then sends SCALE_RPS
 * proxied calls a second for SCALE_SECONDS, first alone, then beside each action of test/bench/scale-load.ts
 * running back to back (SCALE_ACTIONS, e.g. `overview`, keeps those whose name starts with one of its
 * comma-separated words). Prints one table row per phase. SCALE_BUILT=1 serves the headless build
 * (`dist/gateway/cli.js` under SCALE_ROOT, from `node scripts/build-headless.mjs`) instead of the sources: the
 * report worker then runs from the compiled dist/gateway/store/report-worker.js.
 *
 *   SCALE_ROWS=1000000 SCALE_DIR=/tmp/scale-1m npm run bench:scale
 *   SCALE_ROOT=/work/before SCALE_DIR=/tmp/scale-1m npm run bench:scale
 *   node scripts/build-headless.mjs && SCALE_BUILT=1 SCALE_ROWS=20000 npm run bench:scale
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fillLog } from '../helpers/fill-log.js'
import { startMockUpstream } from '../helpers/upstreams.js'
import { ACTIONS, measure, type Summary, type Target } from './scale-load.js'

const ROWS = Number(process.env.SCALE_ROWS ?? 1_000_000)
const RPS = Number(process.env.SCALE_RPS ?? 20)
const SECONDS = Number(process.env.SCALE_SECONDS ?? 10)
const ONLY = process.env.SCALE_ACTIONS?.split(',')
const ROOT = resolve(process.env.SCALE_ROOT ?? join(import.meta.dirname, '..', '..'))
const ENTRY = process.env.SCALE_BUILT
  ? [join(ROOT, 'dist/gateway/cli.js')]
  : ['--import', 'tsx', join(ROOT, 'src-gateway/cli.ts')]
const keep = process.env.SCALE_DIR !== undefined
const dir = process.env.SCALE_DIR ?? mkdtempSync(join(tmpdir(), 'switchyard-scale-'))
const TOKEN = 'bench-admin-token-0123456789abcdef'

async function serve(configFile: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [...ENTRY, 'serve', '--port', '0', '--data-dir', dir, '--config', configFile], {
    cwd: ROOT,
    env: { ...process.env, SWITCHYARD_ADMIN_TOKEN: TOKEN },
  })
  let out = ''
  const url = await new Promise<string>((ok, fail) => {
    const onData = (d: Buffer) => {
      out += d
      const m = /listening on (https?:\/\/\S+)/.exec(out)
      if (m) ok(m[1])
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', (code) => fail(new Error(`serve exited ${code}:\n${out}`)))
  })
  return {
    url,
    stop: () =>
      new Promise((done) => {
        child.once('exit', () => done())
        child.kill('SIGTERM')
      }),
  }
}

const ms = (v: number | null) => (v === null ? '-' : v.toFixed(v < 100 ? 1 : 0))
const row = (cells: string[]) => console.log(cells.map((c, i) => (i === 0 ? c.padEnd(14) : c.padStart(9))).join(' '))

async function main() {
  mkdirSync(dir, { recursive: true })
  if (!existsSync(join(dir, 'switchyard.db'))) {
    console.log(`filling ${dir} to ${ROWS} rows…`)
    const filled = fillLog(dir, { rows: ROWS, days: 30, onProgress: (n) => process.stdout.write(`\r${n} rows`) })
    console.log(`\r${filled.rows} rows in ${(filled.ms / 1000).toFixed(1)} s`)
  }
  const mock = await startMockUpstream()
  const configFile = join(dir, 'bench-gateway.yaml')
  writeFileSync(
    configFile,
    `providers:\n  mock: { type: openai, baseUrl: "${mock.url}/v1", apiKey: sk-bench }\n` +
      // The fixture is bigger than the default size cap: retention must not run during the bench.
      'logs: { maxAgeDays: 36500, maxDbMb: 1000000 }\n',
  )
  const started = performance.now()
  const gw = await serve(configFile)
  console.log(
    `${ROOT} serving ${ROWS} rows at ${gw.url} (started in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
  )
  const target: Target = { url: gw.url, admin: { authorization: `Bearer ${TOKEN}` }, model: 'mock/gpt-4o' }
  try {
    row(['phase', 'sent', 'answered', 'p50 ms', 'p99 ms', 'max ms', 'runs', 'run p50', 'run max'])
    const print = (name: string, proxied: Summary, action: Summary | null) =>
      row([
        name,
        String(proxied.sent),
        String(proxied.answered),
        ms(proxied.p50),
        ms(proxied.p99),
        ms(proxied.max),
        String(action?.answered ?? '-'),
        ms(action?.p50 ?? null),
        ms(action?.max ?? null),
      ])
    await measure(target, { rps: RPS, ms: 2000 }) // warm-up: connections, JIT
    const idle = await measure(target, { rps: RPS, ms: SECONDS * 1000 })
    print('idle', idle.proxied, null)
    for (const action of ACTIONS.filter((a) => !ONLY || ONLY.some((w) => a.name.startsWith(w)))) {
      await action.run(target) // the first run reads from disk; the table shows the steady state
      const busy = await measure(target, { rps: RPS, ms: SECONDS * 1000, action })
      print(action.name, busy.proxied, busy.action)
    }
  } finally {
    await gw.stop()
    await mock.stop()
    if (!keep) rmSync(dir, { recursive: true, force: true })
  }
}

await main()
