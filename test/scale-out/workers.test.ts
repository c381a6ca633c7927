import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { Agent, fetch as undiciFetch } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LogPage } from '../../src-shared/contract/logs.js'
import { type PostgresServer, startPostgres } from '../helpers/postgres-server.js'
import { rawRequest } from '../helpers/raw-http.js'
import { type RedisServer, startRedis } from '../helpers/redis-server.js'
import { type SourceServe, serveFromSource } from '../helpers/serve-source.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// `switchyard serve --workers 3` on one port, sharing one Redis and one Postgres: every worker answers model calls,
// a limit is one limit over all of them, the printed sign-in link works once whichever worker gets it, a worker
// that dies is replaced, and SIGTERM drains every worker.

const KEY = 'sk-sy-workers-0123456789abcdef'
const LIMITED = 'sk-sy-workers-limited-0123456789'
const WORKERS = 3
/** How long a start may take: tsx compiles the sources once per worker. */
const START_MS = 180_000

let pgServer: PostgresServer
let redis: RedisServer
let mock: RunningMock
const folders: string[] = []
const started: SourceServe[] = []

const configYaml = (database = true) => `
redis: ${redis.url}
${database ? `database: ${pgServer.url}` : ''}
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
keys:
  - { name: open, key: "\${env:SY_KEY}" }
  - { name: limited, key: "\${env:SY_LIMITED}", limits: { rpm: 20 } }
discovery: { enabled: false }
`

async function startWorkers(yaml: string, workers = WORKERS): Promise<{ serve: SourceServe; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-workers-'))
  folders.push(dataDir)
  writeFileSync(join(dataDir, 'config.yaml'), yaml)
  const serve = await serveFromSource(
    dataDir,
    ['--config', join(dataDir, 'config.yaml'), '--workers', String(workers)],
    { SWITCHYARD_SECRET_KEY: randomBytes(32).toString('base64url'), SY_KEY: KEY, SY_LIMITED: LIMITED },
    START_MS - 10_000,
  )
  started.push(serve)
  return { serve, dataDir }
}

/** A model call on a connection of its own, so the primary places each one afresh. */
function call(url: string, key = KEY, extra: Record<string, string> = {}, model = 'mock/mock-gpt') {
  return rawRequest(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...extra },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  })
}

/** The random part every request id of one process starts with (core/request-id.ts): which worker answered. */
const processOf = (r: { headers: Record<string, unknown> }) => String(r.headers['x-request-id']).slice(0, -6)

const workerPids = (output: string) =>
  [...output.matchAll(/worker (\d+) ready \(pid (\d+)\)/g)].map((m) => ({ slot: Number(m[1]), pid: Number(m[2]) }))

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  for (let waited = 0; !(await check()); waited += 100) {
    if (waited > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

beforeAll(async () => {
  ;[pgServer, redis] = await Promise.all([startPostgres(), startRedis()])
  // Answers after a pause, so every call of a burst is admitted or refused before the first one ends.
  mock = await startMockUpstream(['--latency-ms', '300'])
})
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()))
  await Promise.all([redis?.stop(), pgServer?.stop(), mock?.stop()])
  for (const f of folders) rmSync(f, { recursive: true, force: true })
})

describe('serve --workers 3', () => {
  let serve: SourceServe
  let dataDir: string

  // tsx compiles the sources once per worker: minutes on a busy 2-core machine.
  beforeAll(async () => {
    ;({ serve, dataDir } = await startWorkers(configYaml()))
  }, START_MS)

  it('prints one address; every worker answers model calls there, and each worker is its own process', async () => {
    expect(serve.output().match(/Switchyard listening on/g)).toHaveLength(1)
    expect(new Set(workerPids(serve.output()).map((w) => w.pid)).size).toBe(WORKERS)
    const answers = await Promise.all(Array.from({ length: 12 }, () => call(serve.url)))
    for (const a of answers) expect(a.status).toBe(200)
    expect(new Set(answers.map(processOf)).size).toBe(WORKERS)
  })

  it('keeps one client on one worker for the web UI and /admin, as the recipe nginx does', async () => {
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()
    const pages = await Promise.all(
      Array.from({ length: 9 }, () =>
        rawRequest(`${serve.url}/admin/v1/info`, { headers: { authorization: `Bearer ${token}` } }),
      ),
    )
    for (const p of pages) expect(p.status).toBe(200)
    expect(new Set(pages.map(processOf)).size).toBe(1)
  })

  it('the printed sign-in link signs in once, whichever worker it reaches, and the session holds on every connection', async () => {
    const link = /Sign in to the web UI: (\S+)/.exec(serve.output())?.[1]
    expect(link).toMatch(/\/auth\/login\?code=/)
    const first = await rawRequest(link!)
    expect(first.status).toBe(302)
    expect(first.headers.location).toBe('/')
    const cookie = String(first.headers['set-cookie']).split(';')[0]
    expect(cookie).toMatch(/^switchyard_session=/)
    // Spent: a second click, on any worker, is refused.
    const again = await rawRequest(link!)
    expect(again.headers.location).toBe('/?signin=link-invalid')
    // The session's own calls go where it lives, model calls (the Playground's) included.
    for (let i = 0; i < 6; i++) {
      const session = await rawRequest(`${serve.url}/auth/session`, { headers: { cookie } })
      expect(JSON.parse(session.text)).toEqual({ mode: 'solo', authenticated: true })
    }
    const playground = await Promise.all(
      Array.from({ length: 6 }, () =>
        call(serve.url, KEY, { cookie, 'x-switchyard-csrf': '1', authorization: `Bearer ${KEY}` }),
      ),
    )
    for (const p of playground) expect(p.status).toBe(200)
    expect(new Set(playground.map(processOf)).size).toBe(1)
  })

  it('an MCP session opened through one worker holds over fresh connections (they reach the same worker)', async () => {
    const agents: Agent[] = []
    // A connection per request: the primary places each one, so only the client address keeps the session's worker.
    const transport = new StreamableHTTPClientTransport(new URL(`${serve.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${KEY}` } },
      fetch: (url, init) => {
        const dispatcher = new Agent({ pipelining: 0 })
        agents.push(dispatcher)
        return undiciFetch(url, { ...(init as object), dispatcher }) as unknown as Promise<Response>
      },
    })
    const client = new Client({ name: 'workers-test', version: '1.0.0' })
    try {
      await client.connect(transport)
      for (let i = 0; i < 4; i++) expect((await client.listTools()).tools).toEqual([])
      expect(agents.length).toBeGreaterThan(4)
    } finally {
      await client.close()
      await Promise.all(agents.map((a) => a.close()))
    }
  })

  it('every worker takes the one admin token, and a route added through one is used by all within a second', async () => {
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()
    const models = await Promise.all(
      Array.from({ length: 9 }, () =>
        rawRequest(`${serve.url}/v1/models`, { headers: { authorization: `Bearer ${token}` } }),
      ),
    )
    for (const m of models) expect(m.status).toBe(200)
    expect(new Set(models.map(processOf)).size).toBe(WORKERS)

    const put = await rawRequest(`${serve.url}/admin/v1/routes/fast`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ targets: [{ model: 'mock/mock-gpt' }] }),
    })
    expect(put.status).toBe(201)
    await new Promise((r) => setTimeout(r, 1000))
    const answers = await Promise.all(Array.from({ length: 9 }, () => call(serve.url, KEY, {}, 'fast')))
    for (const a of answers) expect(a.status).toBe(200)
    expect(new Set(answers.map(processOf)).size).toBe(WORKERS)
  })

  it('a key with rpm 20: exactly 20 of 60 parallel calls succeed across the workers', async () => {
    const answers = await Promise.all(Array.from({ length: 60 }, () => call(serve.url, LIMITED)))
    expect(answers.filter((a) => a.status === 200)).toHaveLength(20)
    expect(answers.filter((a) => a.status === 429)).toHaveLength(40)
    expect(new Set(answers.map(processOf)).size).toBe(WORKERS)
  })

  it('every worker writes to the shared Postgres log, and any worker lists all of it', async () => {
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()
    const answered = await Promise.all(Array.from({ length: 9 }, () => call(serve.url)))
    const ids = answered.map((a) => String(a.headers['x-request-id']))
    expect(new Set(answered.map(processOf)).size).toBe(WORKERS)
    await until('every row in the shared log', async () => {
      const res = await rawRequest(`${serve.url}/admin/v1/logs?limit=200`, {
        headers: { authorization: `Bearer ${token}` },
      })
      const listed = new Set((JSON.parse(res.text) as LogPage).items.map((r) => r.requestId))
      return ids.every((id) => listed.has(id))
    })
  })

  it('a worker killed with SIGKILL is replaced, and the others answer meanwhile', { timeout: START_MS }, async () => {
    const before = workerPids(serve.output())
    const victim = before[1]
    process.kill(victim.pid, 'SIGKILL')
    await until('the worker to be gone', () => !alive(victim.pid))
    const during = await Promise.all(Array.from({ length: 6 }, () => call(serve.url)))
    for (const a of during) expect(a.status).toBe(200)
    expect(serve.output()).toMatch(
      new RegExp(`worker ${victim.slot} \\(pid ${victim.pid}\\) exited \\(signal SIGKILL\\)`),
    )
    await until('a replacement', () => workerPids(serve.output()).length > before.length, START_MS - 30_000)
    const replacement = workerPids(serve.output()).at(-1)!
    expect(replacement.slot).toBe(victim.slot)
    expect(replacement.pid).not.toBe(victim.pid)
    const after = await Promise.all(Array.from({ length: 12 }, () => call(serve.url)))
    for (const a of after) expect(a.status).toBe(200)
    expect(new Set(after.map(processOf)).size).toBe(WORKERS)
  })

  it('SIGTERM drains every worker: a call in flight finishes, then all of them exit', async () => {
    const pids = workerPids(serve.output()).map((w) => w.pid)
    const inFlight = call(serve.url)
    await new Promise((r) => setTimeout(r, 100))
    const code = serve.stop()
    const answer = await inFlight
    expect(answer.status).toBe(200)
    expect(await code).toBe(0)
    for (const pid of pids) expect(alive(pid)).toBe(false)
  })
})

describe('serve --workers when its primary dies', () => {
  it(
    'its workers close too (they would otherwise hold their connections with nothing to hand them new ones)',
    async () => {
      const { serve } = await startWorkers(configYaml(), 2)
      const pids = workerPids(serve.output()).map((w) => w.pid)
      expect(pids).toHaveLength(2)
      await serve.kill()
      await until('the workers to exit', () => pids.every((pid) => !alive(pid)))
    },
    START_MS,
  )
})

describe('serve --workers refuses', () => {
  const refusal = (yaml: string, workers: number) =>
    startWorkers(yaml, workers).then(
      () => new Error('started'),
      (e: Error) => e,
    )

  it('a config without `database` or without `redis`, saying why in one line', { timeout: START_MS }, async () => {
    for (const yaml of [configYaml(false), configYaml().replace(/^redis: .*$/m, '')]) {
      const err = await refusal(yaml, 2)
      expect(err.message).toMatch(/serve exited 1/)
      expect(err.message).toMatch(
        /switchyard: --workers: needs both `redis` and `database` \(or --database\) in effect/,
      )
    }
  })

  it('a count it cannot run', { timeout: START_MS }, async () => {
    for (const n of [0, 65]) expect((await refusal(configYaml(), n)).message).toMatch(/--workers must be 1-64, got/)
  })
})
