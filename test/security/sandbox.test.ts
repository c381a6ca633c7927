import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { adminHeadersOf } from '../helpers/gateway.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// A `javascript` assertion is code from whoever reaches the admin API. These payloads are real escapes
// out of `node:vm` (a host-realm object hands out the host's `Function`); each tries to leave a marker
// file behind. After the run, no marker may exist and every cell must record a failed assertion.

// biome-ignore lint/suspicious/noExplicitAny: test reads loosely typed API payloads
type Json = any

let mock: RunningMock
let app: FastifyInstance
let url: string
const dir = mkdtempSync(join(tmpdir(), 'switchyard-sandbox-'))
const marker = (name: string) => join(dir, name)

/** Host access from a host `Function`: whatever way a payload reached it, it writes `file`. */
const hostWrite = (file: string) =>
  `const p = F('return process')(); const load = p.getBuiltinModule ?? p.mainModule.require; ` +
  `load('child_process').execSync('touch ' + ${JSON.stringify(file)}); load('fs').writeFileSync(${JSON.stringify(`${file}.fs`)}, 'x')`

const ESCAPES: Record<string, string> = {
  'import-catch': `import('x').catch((e) => { const F = e.constructor.constructor; ${hostWrite(marker('import-catch'))} })`,
  'import-then': `import('node:fs').then((fs) => fs.writeFileSync(${JSON.stringify(marker('import-then'))}, 'x'), (e) => { const F = e.constructor.constructor; ${hostWrite(marker('import-then-catch'))} })`,
  'this-constructor': `(() => { const F = this.constructor.constructor; ${hostWrite(marker('this-constructor'))} })()`,
  'vars-constructor': `(() => { const F = vars.constructor.constructor; ${hostWrite(marker('vars-constructor'))} })()`,
  'error-stack': `(() => { Error.prepareStackTrace = (e, frames) => frames; const frames = new Error().stack; const F = frames[0].getFunction().constructor; ${hostWrite(marker('error-stack'))} })()`,
  'async-rejection': `(async () => { try { await import('x') } catch (e) { const F = e.constructor.constructor; ${hostWrite(marker('async-rejection'))} } })()`,
}

async function admin(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...adminHeadersOf(app),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, json: await res.json() }
}

async function finishedRun(body: unknown, path = '/admin/v1/compare/runs'): Promise<Json> {
  const started = await admin('POST', path, body)
  expect(started.status).toBe(202)
  for (let i = 0; i < 400; i++) {
    const run = (await admin('GET', `/admin/v1/compare/runs/${started.json.id}`)).json
    if (!run.isActive) return run
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error('run did not finish')
}

beforeAll(async () => {
  mock = await startMockUpstream()
  // Compare runs are stored, so this gateway has a data dir.
  const config = parseConfig(
    `providers:\n  mock: { type: openai, baseUrl: "${mock.url}/v1", apiKey: "sk-test" }\n`,
    'yaml',
  )
  app = buildGateway(config, { webRoot: false, dataDir: join(dir, 'data') })
  url = await app.listen({ host: '127.0.0.1', port: 0 })
})
afterAll(async () => {
  await app?.close()
  await mock?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('javascript assertions run without host access', () => {
  it('escape payloads write no file and run no command; each records a failed assertion', async () => {
    const run = await finishedRun({
      messages: [{ role: 'user', content: 'hello' }],
      models: ['mock/gpt-a'],
      assertions: Object.values(ESCAPES).map((value) => ({ type: 'javascript', value })),
    })
    // Rejections and their handlers settle after the expression returns: give them time to.
    await new Promise((r) => setTimeout(r, 200))
    const written = Object.keys(ESCAPES).flatMap((name) =>
      [name, `${name}.fs`, `${name}-catch`, `${name}-catch.fs`].filter((f) => existsSync(marker(f))),
    )
    expect(written).toEqual([])
    expect(run.status).toBe('done')
    const results = run.cells[0].assertions
    expect(results).toHaveLength(Object.keys(ESCAPES).length)
    for (const r of results) expect(r).toMatchObject({ type: 'javascript', pass: false })
    // A rerun evaluates every assertion again.
    const again = await finishedRun({ failuresOnly: false }, `/admin/v1/compare/runs/${run.id}/rerun`)
    await new Promise((r) => setTimeout(r, 200))
    expect(again).toMatchObject({ parentRunId: run.id, status: 'done' })
    expect(again.cells[0].requestId).not.toBe(run.cells[0].requestId)
    for (const r of again.cells[0].assertions) expect(r).toMatchObject({ type: 'javascript', pass: false })
    expect(Object.keys(ESCAPES).filter((name) => existsSync(marker(name)))).toEqual([])
  })

  it('a runaway loop, a memory bomb, deep recursion and a syntax error each fail with a clear reason', async () => {
    const run = await finishedRun({
      messages: [{ role: 'user', content: 'hello' }],
      models: ['mock/gpt-a'],
      assertions: [
        { type: 'javascript', value: '(() => { for (;;); })()' },
        { type: 'javascript', value: '(() => { let s = output; for (;;) s = [s, s].join("") })()' },
        { type: 'javascript', value: '(function f() { return f() + 1 })()' },
        { type: 'javascript', value: 'output.startsWith(' },
        { type: 'javascript', value: 'output.startsWith("Echo") && typeof process === "undefined"' },
      ],
    })
    const reasons = run.cells[0].assertions.map((r: Json) => [r.pass, r.reason])
    expect(reasons).toEqual([
      [false, expect.stringMatching(/timed out after 250 ms/)],
      [false, expect.stringMatching(/out of memory/)],
      [false, expect.stringMatching(/stack overflow|call stack/i)],
      [false, expect.stringMatching(/expression failed: SyntaxError/)],
      [true, 'expression is true'],
    ])
    // The gateway is still serving.
    expect((await fetch(`${url}/health`)).status).toBe(200)
  })
})
