import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { adminHeadersOf } from '../helpers/gateway.js'
import { type RunningMock, startMockUpstream, startScriptedUpstream } from '../helpers/upstreams.js'

// Issue 18: comparisons, replays and prompt runs call the pipeline directly with a system identity. The model
// API's guard used to let any request whose socket was not a `net.Socket` through without a key (so the
// runners could re-enter with `app.inject`); a request is now authenticated by what it presents, whatever
// carried it.

const CLIENT_KEY = 'sk-sy-inproc-0123456789abcdefSECRET'
let mock: RunningMock
let hanging: RunningMock
/** Set when the hanging upstream's caller closed the connection. */
let upstreamClosed: Promise<void>
let app: FastifyInstance
let url: string
const dir = mkdtempSync(join(tmpdir(), 'switchyard-inproc-'))

beforeAll(async () => {
  mock = await startMockUpstream()
  let closed: () => void
  upstreamClosed = new Promise((resolve) => {
    closed = resolve
  })
  // Streams one word, then never finishes.
  hanging = await startScriptedUpstream({
    'POST /v1/chat/completions': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write(
        `data: ${JSON.stringify({ id: 'h', object: 'chat.completion.chunk', created: 1, model: 'slow', choices: [{ index: 0, delta: { content: 'Thinking' } }] })}\n\n`,
      )
      res.on('close', () => closed())
    },
  })
  const config = parseConfig(
    `
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
  hang: { type: openai-compatible, baseUrl: "${hanging.url}/v1", models: [slow] }
keys:
  - { name: ci, key: "\${env:SY_INPROC_KEY}" }
prompts:
  greet:
    model: mock/mock-gpt
    messages: [{ role: user, content: "Say hi to {{name}}" }]
`,
    'yaml',
    { SY_INPROC_KEY: CLIENT_KEY },
  )
  app = buildGateway(config, { webRoot: false, dataDir: dir })
  url = await app.listen({ host: '127.0.0.1', port: 0 })
})
afterAll(async () => {
  await app?.close()
  await Promise.all([mock?.stop(), hanging?.stop()])
  rmSync(dir, { recursive: true, force: true })
})

const chatBody = { model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'hi' }] }

// biome-ignore lint/suspicious/noExplicitAny: test reads loosely typed API payloads
type Json = any

async function admin(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Json> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...adminHeadersOf(app), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, json: await res.json() }
}

async function finished(id: number): Promise<Json> {
  for (let i = 0; i < 400; i++) {
    const { json: run } = await admin('GET', `/admin/v1/compare/runs/${id}`)
    if (!run.isActive) return run
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`run ${id} did not finish`)
}

describe('a request without a network socket', () => {
  it('needs a client key like any other once keys are configured', async () => {
    for (const [path, payload] of [
      ['/v1/chat/completions', chatBody],
      ['/v1/prompts/greet/run', { variables: { name: 'Ada' } }],
      ['/v1/messages', { ...chatBody, max_tokens: 5 }],
    ] as const) {
      const res = await app.inject({ method: 'POST', url: path, payload })
      expect(res.statusCode, path).toBe(401)
    }
    const ok = await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization: `Bearer ${CLIENT_KEY}` },
      payload: chatBody,
    })
    expect(ok.statusCode).toBe(200)
  })
})

describe('comparisons, replays and prompt runs with keys configured', () => {
  it('run as the system: no client key needed, and none is charged for them', async () => {
    const since = new Date().toISOString()
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: CLIENT_KEY, maxRetries: 0 })
    expect(
      (await client.chat.completions.create({ ...chatBody, messages: [{ role: 'user', content: 'replay-me' }] }))
        .choices[0].message.content,
    ).toBe('Echo: replay-me')
    app.requestLog.flush()

    const side = await fetch(`${url}/admin/v1/compare`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...adminHeadersOf(app) },
      body: JSON.stringify({ models: ['mock/mock-gpt'], prompt: { name: 'greet', variables: { name: 'Ada' } } }),
    })
    expect(await side.text()).toContain('"output":"Echo: Say hi to Ada"')

    const matrix = await admin('POST', '/admin/v1/compare/runs', {
      messages: [{ role: 'user', content: 'about {{q}}' }],
      models: ['mock/mock-gpt'],
      dataset: { rows: [{ q: 'x' }, { q: 'y' }] },
    })
    expect(matrix.status).toBe(202)
    const run = await finished(matrix.json.id)
    expect(run.cells.map((c: Json) => [c.status, c.output])).toEqual([
      ['done', 'Echo: about x'],
      ['done', 'Echo: about y'],
    ])

    const replay = await admin('POST', '/admin/v1/compare/replay', {
      filter: { q: 'replay-me' },
      models: ['mock/mock-gpt'],
    })
    expect(replay.status).toBe(202)
    const replayed = await finished(replay.json.id)
    expect(replayed.cells[0]).toMatchObject({ status: 'done', output: 'Echo: replay-me' })

    // The client's call, then the comparison's four: none of these is the key's.
    app.requestLog.flush()
    const rows = (await admin('GET', `/admin/v1/logs?limit=50&from=${since}`)).json.items
    expect(rows).toHaveLength(5)
    // The gateway's own calls say what made them, in place of a key.
    expect(rows.map((r: Json) => [r.status, r.keyName, r.caller])).toEqual([
      [200, null, 'replay'],
      [200, null, 'comparison'],
      [200, null, 'comparison'],
      [200, null, 'comparison'],
      [200, 'ci', null],
    ])
    expect(rows.filter((r: Json) => r.promptName === 'greet')).toHaveLength(1)
  })
})

describe('the runner’s direct calls', () => {
  it('are aborted upstream when their run is cancelled, and logged as aborted', async () => {
    const since = new Date().toISOString()
    const started = await admin('POST', '/admin/v1/compare/runs', {
      messages: [{ role: 'user', content: 'take your time' }],
      models: ['hang/slow'],
    })
    const id = started.json.id
    // Running, with its first word streamed.
    for (let i = 0; i < 200; i++) {
      const { json: run } = await admin('GET', `/admin/v1/compare/runs/${id}`)
      if (run.cells[0].status === 'running') break
      await new Promise((r) => setTimeout(r, 10))
    }
    const cancelled = (await admin('POST', `/admin/v1/compare/runs/${id}/cancel`)).json
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelled: true })
    expect(cancelled.cells[0]).toMatchObject({ status: 'cancelled', error: 'cancelled' })
    await upstreamClosed
    // An aborted call's tokens are counted locally before its row is written.
    let rows: Json[] = []
    for (let i = 0; i < 200 && rows.length === 0; i++) {
      app.requestLog.flush()
      rows = (await admin('GET', `/admin/v1/logs?from=${since}&provider=hang`)).json.items
      if (rows.length === 0) await new Promise((r) => setTimeout(r, 10))
    }
    expect(rows.map((r: Json) => [r.status, r.error, r.keyName, r.caller])).toEqual([
      [499, 'aborted', null, 'comparison'],
    ])
  })

  it('are refused while the gateway is paused', async () => {
    app.gatewayPause.set(true)
    try {
      const run = await finished(
        (
          await admin('POST', '/admin/v1/compare/runs', {
            messages: [{ role: 'user', content: 'x' }],
            models: ['mock/mock-gpt'],
          })
        ).json.id,
      )
      expect(run.cells[0]).toMatchObject({ status: 'error', error: expect.stringMatching(/Switchyard is paused/) })
    } finally {
      app.gatewayPause.set(false)
    }
  })
})
