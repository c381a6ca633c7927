import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { createSseParser } from '../../src-gateway/core/sse.js'
import { buildGateway } from '../../src-gateway/server.js'
import { adminHeadersOf } from '../helpers/gateway.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

const SLOW_MS = 150

/**
 * Passes every request on to `target` and counts the calls (POSTs; model listings are GETs) in flight at once:
 * a run's concurrency read from what reached the upstream, not from how long the run took, which a busy machine
 * stretches.
 */
async function countingProxy(target: string) {
  let inFlight = 0
  let peak = 0
  const server = createServer((req, res) => {
    if (req.method === 'POST') {
      peak = Math.max(peak, ++inFlight)
      res.once('close', () => inFlight--)
    }
    const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** The most requests in flight at once since the last call. */
    takePeak() {
      const seen = peak
      peak = inFlight
      return seen
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

let mock: RunningMock
let slow: RunningMock
let slowProxy: Awaited<ReturnType<typeof countingProxy>>
let app: FastifyInstance
let url: string
const dir = mkdtempSync(join(tmpdir(), 'switchyard-compare-'))

beforeAll(async () => {
  ;[mock, slow] = await Promise.all([startMockUpstream(), startMockUpstream(['--latency-ms', String(SLOW_MS)])])
  slowProxy = await countingProxy(slow.url)
  const config = parseConfig(
    `
providers:
  mock: { type: openai, baseUrl: "${mock.url}/v1", apiKey: "sk-test" }
  slow: { type: openai, baseUrl: "${slowProxy.url}/v1", apiKey: "sk-test" }
  local: { type: ollama, baseUrl: "${slowProxy.url}" }
pricing:
  mock/gpt-a: { input: 1000, output: 2000 }
  mock/gpt-b: { input: 3000, output: 6000 }
prompts:
  greet:
    model: mock/gpt-a
    messages:
      - { role: user, content: "Say hello to {{name}}" }
`,
    'yaml',
  )
  app = buildGateway(config, { webRoot: false, dataDir: dir })
  url = await app.listen({ host: '127.0.0.1', port: 0 })
})
afterAll(async () => {
  await app?.close()
  await Promise.all([mock?.stop(), slow?.stop(), slowProxy?.stop()])
  rmSync(dir, { recursive: true, force: true })
})

async function admin(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) {
  const res = await app.inject({
    method,
    url: path,
    headers: adminHeadersOf(app),
    payload: body === undefined ? undefined : (body as object),
  })
  return { status: res.statusCode, text: res.body, json: () => JSON.parse(res.body), headers: res.headers }
}

// biome-ignore lint/suspicious/noExplicitAny: test reads loosely typed API payloads
type Json = any

async function finished(id: number): Promise<Json> {
  for (let i = 0; i < 400; i++) {
    const run = (await admin('GET', `/admin/v1/compare/runs/${id}`)).json()
    if (!run.isActive) return run
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`run ${id} did not finish`)
}

const cellAt = (run: Json, row: number, col: number) => run.cells.find((c: Json) => c.row === row && c.col === col)

describe('side by side', () => {
  it('streams every column in parallel over SSE with latency, TTFT, tokens and cost, and stores the run', async () => {
    const res = await fetch(`${url}/admin/v1/compare`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...adminHeadersOf(app) },
      body: JSON.stringify({ models: ['mock/gpt-a', 'mock/gpt-b'], messages: [{ role: 'user', content: 'hi there' }] }),
    })
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const parser = createSseParser()
    const events: { event?: string; data: Json }[] = []
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      for (const f of parser.push(Buffer.from(chunk))) events.push({ event: f.event, data: JSON.parse(f.data) })
    }
    expect(events[0]).toMatchObject({
      event: 'run',
      data: { columns: [{ model: 'mock/gpt-a' }, { model: 'mock/gpt-b' }] },
    })
    expect(events.at(-1)).toMatchObject({ event: 'end', data: { status: 'done' } })
    for (const col of [0, 1]) {
      const text = events
        .filter((e) => e.event === 'delta' && e.data.col === col)
        .map((e) => e.data.text)
        .join('')
      expect(text).toBe('Echo: hi there')
      const done = events.find((e) => e.event === 'done' && e.data.col === col)!.data.cell
      expect(done).toMatchObject({ status: 'done', output: 'Echo: hi there', outputTokens: 20 })
      expect(done.latencyMs).toBeGreaterThan(0)
      expect(done.ttftMs).toBeGreaterThan(0)
      expect(done.costUsd).toBeGreaterThan(0)
      expect(done.requestId).toMatch(/^req_/)
    }
    const cost = (col: number) => events.find((e) => e.event === 'done' && e.data.col === col)!.data.cell.costUsd
    expect(cost(1)).toBeCloseTo(cost(0) * 3, 10)
    const runs = (await admin('GET', '/admin/v1/compare/runs?kind=side-by-side')).json()
    expect(runs.items[0]).toMatchObject({
      id: events[0].data.runId,
      status: 'done',
      columns: ['mock/gpt-a', 'mock/gpt-b'],
    })
  })

  it('runs a stored prompt version with variables and rejects a body with neither input', async () => {
    const res = await fetch(`${url}/admin/v1/compare`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...adminHeadersOf(app) },
      body: JSON.stringify({
        models: ['mock/gpt-b'],
        prompt: { name: 'greet', version: 1, variables: { name: 'Ada' } },
      }),
    })
    expect(await res.text()).toContain('"output":"Echo: Say hello to Ada"')
    const bad = await admin('POST', '/admin/v1/compare', { models: ['mock/gpt-a'] })
    expect(bad.status).toBe(400)
    expect(bad.json().error.message).toMatch(/either 'messages' or 'prompt'/)
  })
})

describe('batch matrix', () => {
  let matrix: Json

  it('runs prompt × 2 models × 3 rows with assertions and column summaries', async () => {
    const started = await admin('POST', '/admin/v1/compare/runs', {
      name: 'greetings',
      prompts: [{ name: 'greet' }],
      models: ['mock/gpt-a', 'mock/gpt-b'],
      dataset: { format: 'csv', text: 'name,expected\nAda,Ada\nBo,nobody\n"Cy, Jr",cy' },
      assertions: [
        { type: 'icontains', value: '{{expected}}' },
        { type: 'regex', value: '^Echo: ' },
        { type: 'javascript', value: 'output.startsWith("Echo") && latencyMs >= 0' },
        { type: 'max-latency', value: 60_000 },
        { type: 'max-cost', value: 1 },
      ],
    })
    expect(started.status).toBe(202)
    matrix = await finished(started.json().id)
    expect(matrix).toMatchObject({ status: 'done', kind: 'matrix', progress: { total: 6, finished: 6, errors: 0 } })
    expect(matrix.columns.map((c: Json) => c.label)).toEqual(['greet·v1 · mock/gpt-a', 'greet·v1 · mock/gpt-b'])
    expect(cellAt(matrix, 2, 1)).toMatchObject({
      output: 'Echo: Say hello to Cy, Jr',
      pass: true,
      score: 1,
      input: [{ role: 'user', content: 'Say hello to Cy, Jr' }],
    })
    const failed = cellAt(matrix, 1, 0)
    expect(failed).toMatchObject({ pass: false, score: 0.8 })
    expect(failed.assertions[0]).toMatchObject({
      type: 'icontains',
      pass: false,
      reason: expect.stringContaining('nobody'),
    })
    expect(matrix.summaries).toEqual([
      expect.objectContaining({ col: 0, cells: 3, done: 3, errors: 0, passRate: 2 / 3 }),
      expect.objectContaining({ col: 1, cells: 3, done: 3, errors: 0, passRate: 2 / 3 }),
    ])
    expect(matrix.summaries[1].totalCostUsd).toBeGreaterThan(matrix.summaries[0].totalCostUsd)
    // Cells went through the prompt endpoint, so their log rows name the prompt version.
    app.requestLog.flush()
    const logged = app
      .db!.prepare('SELECT prompt_name, prompt_version FROM request_logs WHERE request_id = ?')
      .get(cellAt(matrix, 0, 0).requestId)
    expect(logged).toEqual({ prompt_name: 'greet', prompt_version: 1 })
  })

  it('exports CSV with status, score, reason and output in separate columns, and JSON', async () => {
    await admin('POST', '/admin/v1/feedback', { requestId: cellAt(matrix, 0, 0).requestId, rating: 'up' })
    const csv = await admin('GET', `/admin/v1/compare/runs/${matrix.id}/export?format=csv`)
    expect(csv.headers['content-type']).toMatch(/^text\/csv/)
    const lines = csv.text.trim().split('\r\n')
    expect(lines[0]).toBe(
      'row,column,model,prompt,prompt_version,vars,status,pass,score,reason,latency_ms,ttft_ms,input_tokens,output_tokens,cost_usd,rating,request_id,output,error',
    )
    expect(lines).toHaveLength(7)
    expect(lines[1]).toMatch(
      /^0,greet·v1 · mock\/gpt-a,mock\/gpt-a,greet,1,.*,done,pass,1,,.*,up,req_.*,Echo: Say hello to Ada,$/,
    )
    expect(lines[3]).toContain(',fail,0.8,"icontains: expected to contain ""nobody"" (any case)",')
    const json = (await admin('GET', `/admin/v1/compare/runs/${matrix.id}/export?format=json`)).json()
    expect(json.cells).toHaveLength(6)
    expect(json.cells[0].rating).toBe('up')
  })

  it('re-runs failures only and diffs against the earlier run', async () => {
    const rerun = await admin('POST', `/admin/v1/compare/runs/${matrix.id}/rerun`, { failuresOnly: true })
    const again = await finished(rerun.json().id)
    expect(again).toMatchObject({ parentRunId: matrix.id, status: 'done', progress: { total: 6, finished: 6 } })
    // Passed cells were copied, failed ones ran again (new request ids).
    expect(cellAt(again, 0, 0).requestId).toBe(cellAt(matrix, 0, 0).requestId)
    expect(cellAt(again, 1, 0).requestId).not.toBe(cellAt(matrix, 1, 0).requestId)
    const diff = (await admin('GET', `/admin/v1/compare/runs/${again.id}/diff?against=${matrix.id}`)).json()
    expect(diff).toMatchObject({ runId: again.id, againstRunId: matrix.id, passRateDelta: 0, changed: [] })

    await admin('POST', '/admin/v1/prompts/greet/versions', {
      model: 'mock/gpt-a',
      messages: [{ role: 'user', content: 'Hi {{name}}' }],
    })
    const v2 = await finished(
      (
        await admin('POST', '/admin/v1/compare/runs', {
          prompts: [{ name: 'greet', version: 1 }],
          models: ['mock/gpt-a', 'mock/gpt-b'],
          dataset: {
            rows: [
              { name: 'Ada', expected: 'Ada' },
              { name: 'Bo', expected: 'bo' },
              { name: 'Cy, Jr', expected: 'cy' },
            ],
          },
          assertions: [{ type: 'icontains', value: '{{expected}}' }],
        })
      ).json().id,
    )
    const d = (await admin('GET', `/admin/v1/compare/runs/${v2.id}/diff?against=${matrix.id}`)).json()
    expect(d.passRateDelta).toBeCloseTo(1 / 3, 10)
    expect(d.changed.map((c: Json) => [c.row, c.label, c.before.pass, c.after.pass])).toEqual([
      [1, 'greet·v1 · mock/gpt-a', false, true],
      [1, 'greet·v1 · mock/gpt-b', false, true],
    ])
  })

  it('grades llm-rubric with a model through the gateway', async () => {
    // The echo mock repeats the grader's user message, which holds the output under test: a verdict
    // written into the dataset row comes back as the grader's verdict.
    const started = await admin('POST', '/admin/v1/compare/runs', {
      messages: [{ role: 'user', content: '{{q}}' }],
      models: ['mock/gpt-a'],
      dataset: {
        format: 'jsonl',
        text: [
          JSON.stringify({ q: '{"pass": true, "score": 0.9, "reason": "polite"}' }),
          JSON.stringify({ q: '{"pass": false, "reason": "rude"}' }),
          JSON.stringify({ q: 'no verdict here' }),
        ].join('\n'),
      },
      assertions: [{ type: 'llm-rubric', value: 'Is polite', model: 'mock/gpt-b' }],
    })
    const run = await finished(started.json().id)
    expect(run.cells.map((c: Json) => [c.pass, c.score, c.assertions[0].reason])).toEqual([
      [true, 0.9, 'polite'],
      [false, 0, 'rude'],
      [false, 0, expect.stringMatching(/^grader reply had no verdict: "Echo: Rubric:\nIs polite/)],
    ])
    app.requestLog.flush()
    const graderCalls = app.db!.prepare(`SELECT count(*) AS n FROM request_logs WHERE model = 'gpt-b'`).get() as {
      n: number
    }
    expect(graderCalls.n).toBeGreaterThanOrEqual(3)
  })

  it('records a call error in its cell and rejects bad specs', async () => {
    const run = await finished(
      (
        await admin('POST', '/admin/v1/compare/runs', {
          messages: [{ role: 'user', content: '{{q}} {{missing}}' }],
          models: ['mock/gpt-a', 'nowhere/model'],
          dataset: { rows: [{ q: 'x', missing: 'y' }, { q: 'x' }] },
        })
      ).json().id,
    )
    expect(cellAt(run, 0, 1)).toMatchObject({ status: 'error', error: expect.stringMatching(/not configured/) })
    expect(cellAt(run, 1, 0)).toMatchObject({ status: 'error', error: 'missing variables: missing' })
    expect(run.summaries[1]).toMatchObject({ errors: 2, passRate: null })
    const bad = await admin('POST', '/admin/v1/compare/runs', {
      messages: [{ role: 'user', content: 'x' }],
      models: ['mock/gpt-a'],
      assertions: [{ type: 'llm-rubric', value: 'x', model: 'm', extra: 1 }],
    })
    expect(bad.status).toBe(400)
    expect(
      (await admin('POST', '/admin/v1/compare/dataset', { format: 'csv', text: 'a,b\n1,2\n3' })).json().error.message,
    ).toMatch(/row 3/)
    expect((await admin('POST', '/admin/v1/compare/dataset', { format: 'csv', text: 'a,b\n1,2' })).json()).toEqual({
      columns: ['a', 'b'],
      total: 1,
      rows: [{ a: '1', b: '2' }],
    })
  })
})

describe('concurrency, cancel and replay', () => {
  it('runs a local provider one call at a time and cloud providers in parallel', async () => {
    // The slow mock answers after SLOW_MS, so calls made in parallel are all upstream at once.
    const peak = async (model: string) => {
      slowProxy.takePeak()
      const run = await finished(
        (
          await admin('POST', '/admin/v1/compare/runs', {
            messages: [{ role: 'user', content: '{{q}}' }],
            models: [model],
            dataset: { rows: [{ q: '1' }, { q: '2' }, { q: '3' }] },
          })
        ).json().id,
      )
      expect(run.cells.map((c: Json) => c.status)).toEqual(['done', 'done', 'done'])
      return slowProxy.takePeak()
    }
    expect(await peak('local/llama3')).toBe(1)
    expect(await peak('slow/gpt-x')).toBe(3)
  })

  it('cancels a run: queued cells never start, finished cells are kept', async () => {
    const started = await admin('POST', '/admin/v1/compare/runs', {
      messages: [{ role: 'user', content: '{{q}}' }],
      models: ['slow/gpt-x'],
      dataset: { rows: Array.from({ length: 8 }, (_, i) => ({ q: `row ${i}` })) },
      concurrency: { slow: 1 },
    })
    const id = started.json().id
    await new Promise((r) => setTimeout(r, SLOW_MS * 1.5))
    const cancelled = (await admin('POST', `/admin/v1/compare/runs/${id}/cancel`)).json()
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelled: true, isActive: false })
    const statuses = cancelled.cells.map((c: Json) => c.status)
    expect(statuses[0]).toBe('done')
    expect(statuses.filter((s: string) => s === 'cancelled').length).toBeGreaterThanOrEqual(5)
    expect(statuses.filter((s: string) => s === 'queued' || s === 'running')).toEqual([])
    expect((await admin('POST', `/admin/v1/compare/runs/${id}/cancel`)).json().cancelled).toBe(false)
  })

  it('replays logged requests against other models with the original beside each row', async () => {
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 })
    for (const n of [1, 2]) {
      await client.chat.completions.create({
        model: 'mock/gpt-a',
        messages: [{ role: 'user', content: `replay-me ${n}` }],
      })
    }
    const stream = await client.chat.completions.create({
      model: 'mock/gpt-a',
      stream: true,
      messages: [{ role: 'user', content: 'replay-me 3' }],
    })
    for await (const _ of stream) {
      // drain
    }
    app.requestLog.flush()
    const started = await admin('POST', '/admin/v1/compare/replay', {
      filter: { q: 'replay-me', model: 'mock/gpt-a' },
      models: ['mock/gpt-b', 'local/llama3'],
    })
    expect(started.status).toBe(202)
    const run = await finished(started.json().id)
    expect(run).toMatchObject({ kind: 'replay', status: 'done', progress: { total: 6, errors: 0 } })
    expect(run.rows.map((r: Json) => r.original.output)).toEqual([
      'Echo: replay-me 3',
      'Echo: replay-me 2',
      'Echo: replay-me 1',
    ])
    expect(run.rows[0].original.costUsd).toBeGreaterThan(0)
    expect(cellAt(run, 0, 0).output).toBe('Echo: replay-me 3')
    expect(cellAt(run, 2, 1)).toMatchObject({ output: 'Echo: replay-me 1', costUsd: 0 })
    const none = await admin('POST', '/admin/v1/compare/replay', {
      filter: { q: 'never-sent' },
      models: ['mock/gpt-a'],
    })
    expect(none.status).toBe(400)
  })
})
