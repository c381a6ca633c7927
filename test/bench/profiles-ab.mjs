// `node test/bench/profiles-ab.mjs default cache redact protect` (after `npm run build:headless`): the built
// gateway under each config profile in turn, every request a distinct prompt so the cache always misses
// (compare.sh repeats one prompt, so it measures hits). Prints rps and the gateway's CPU ms per request.
// STREAM=1 streams, PII=1 puts an email and a card number in every prompt, ROUNDS and SECS set the length.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Pool } from 'undici'

const EXTRA = {
  default: '',
  redact: 'redaction: { mode: reversible }',
  cache: 'cache: { mode: exact }',
  protect: 'redaction: { mode: reversible }\ncache: { mode: exact }',
}
const profiles = process.argv.slice(2)
const stream = process.env.STREAM === '1'
const SECS = Number(process.env.SECS ?? 4)
const mock = spawn(process.execPath, [join(import.meta.dirname, '../mocks/mock-upstream.mjs'), '--port', '0'], {
  stdio: ['ignore', 'pipe', 'inherit'],
})
const mport = await new Promise((r) => mock.stdout.once('data', (d) => r(Number(/listening (\d+)/.exec(String(d))[1]))))
async function run(profile) {
  const dir = mkdtempSync(join(tmpdir(), 'ab-'))
  writeFileSync(
    join(dir, 'c.yaml'),
    `providers:\n  mock: { type: openai-compatible, baseUrl: "http://127.0.0.1:${mport}/v1", apiKey: sk-bench }\nroutes:\n  mock-gpt:\n    targets:\n      - { model: mock/mock-gpt }\n${EXTRA[profile]}\n`,
  )
  const gw = spawn(
    process.execPath,
    [
      ...(process.env.GWOPTS ? process.env.GWOPTS.split(' ') : []),
      join(import.meta.dirname, '../../dist/gateway/cli.js'),
      'serve',
      '--config',
      join(dir, 'c.yaml'),
      '--port',
      '0',
      '--data-dir',
      dir,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const url = await new Promise((r) =>
    gw.stdout.on('data', (d) => {
      const m = /listening on (http\S+)/.exec(String(d))
      if (m) r(m[1])
    }),
  )
  const cpu = () => {
    const f = readFileSync(`/proc/${gw.pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(f[11]) + Number(f[12])) * 10
  }
  const pool = new Pool(url, { connections: 32 })
  let seq = 0
  const content = () =>
    process.env.PII ? `mail jane${seq++}@example.com about card 4111 1111 1111 1111` : `hello there ${seq++}`
  const go = async (secs) => {
    let n = 0
    const end = Date.now() + secs * 1000
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (Date.now() < end) {
          const body = JSON.stringify({ model: 'mock-gpt', stream, messages: [{ role: 'user', content: content() }] })
          const r = await pool.request({
            method: 'POST',
            path: '/v1/chat/completions',
            headers: { 'content-type': 'application/json' },
            body,
          })
          await r.body.text()
          n++
        }
      }),
    )
    return n
  }
  await go(1.5)
  const c0 = cpu()
  const n = await go(SECS)
  const c1 = cpu()
  await pool.close()
  gw.kill('SIGTERM')
  await new Promise((r) => gw.once('exit', r))
  return { rps: Math.round(n / SECS), cpuMsPerReq: ((c1 - c0) / n).toFixed(3) }
}
for (let round = 0; round < Number(process.env.ROUNDS ?? 3); round++)
  for (const p of profiles) console.log(p.padEnd(8), stream ? 'stream   ' : 'nonstream', JSON.stringify(await run(p)))
mock.kill()
