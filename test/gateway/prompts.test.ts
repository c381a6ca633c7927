import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { adminHeadersOf } from '../helpers/gateway.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

const config = (mockUrl: string, greet = 'Say hello to {{name}}') =>
  parseConfig(
    `
providers:
  mock: { type: openai, baseUrl: "${mockUrl}/v1", apiKey: "sk-test" }
pricing:
  mock/gpt-a: { input: 1000, output: 2000 }
prompts:
  greet:
    model: mock/gpt-a
    messages:
      - { role: system, content: "You are terse." }
      - { role: user, content: "${greet}" }
`,
    'yaml',
  )

async function start(mockUrl: string, dataDir: string, greet?: string) {
  const app = buildGateway(config(mockUrl, greet), { webRoot: false, dataDir })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, url }
}

async function admin(app: FastifyInstance, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) {
  const res = await app.inject({
    method,
    url,
    headers: adminHeadersOf(app),
    payload: body === undefined ? undefined : (body as object),
  })
  return { status: res.statusCode, json: res.body ? JSON.parse(res.body) : null, headers: res.headers }
}

let mock: RunningMock
beforeAll(async () => {
  mock = await startMockUpstream()
})
afterAll(async () => {
  await mock?.stop()
})

describe('prompt library and prompt endpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-prompts-'))
  let app: FastifyInstance
  let client: OpenAI
  const run = (body: Record<string, unknown>, name = 'greet') =>
    client.post<OpenAI.ChatCompletion>(`/prompts/${name}/run`, { body }).withResponse()

  beforeAll(async () => {
    const started = await start(mock.url, dir)
    app = started.app
    client = new OpenAI({ baseURL: `${started.url}/v1`, apiKey: 'unused', maxRetries: 0 })
  })
  afterAll(async () => {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('imports config prompts as version 1 and lists them', async () => {
    const list = await admin(app, 'GET', '/admin/v1/prompts')
    expect(list.json).toMatchObject({ total: 1, nextCursor: null, items: [{ name: 'greet', latestVersion: 1 }] })
    const v1 = await admin(app, 'GET', '/admin/v1/prompts/greet/versions/1')
    expect(v1.json).toMatchObject({ version: 1, author: 'config', variables: ['name'] })
  })

  it('saves immutable versions, dedups identical content and diffs versions', async () => {
    const content = {
      model: 'mock/gpt-a',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Say hi to {{name}} from {{city}}' },
      ],
      params: { temperature: 0 },
    }
    const saved = await admin(app, 'POST', '/admin/v1/prompts/greet/versions', { ...content, note: 'add city' })
    expect(saved.status).toBe(201)
    expect(saved.json).toMatchObject({ created: true, version: { version: 2, note: 'add city' } })
    // Same content with keys in another order: same hash, no new version.
    const again = await admin(app, 'POST', '/admin/v1/prompts/greet/versions', {
      params: { temperature: 0 },
      messages: content.messages,
      model: 'mock/gpt-a',
    })
    expect(again.status).toBe(200)
    expect(again.json).toMatchObject({ created: false, version: { version: 2 } })
    const versions = await admin(app, 'GET', '/admin/v1/prompts/greet/versions?limit=1')
    expect(versions.json).toMatchObject({ total: 2, nextCursor: '2', items: [{ version: 2 }] })
    const diff = await admin(app, 'GET', '/admin/v1/prompts/greet/diff?from=1&to=2')
    expect(diff.json.changed).toEqual(['messages', 'params'])
    expect(diff.json.lines.filter((l: { op: string }) => l.op !== 'equal')).toEqual([
      { op: 'remove', text: 'Say hello to {{name}}' },
      { op: 'add', text: 'Say hi to {{name}} from {{city}}' },
      { op: 'add', text: 'param temperature: 0' },
    ])
    const bad = await admin(app, 'POST', '/admin/v1/prompts/greet/versions', {
      messages: [{ role: 'robot', content: 'x' }],
    })
    expect(bad.status).toBe(400)
    expect(bad.json.error.param).toMatch(/^messages\.0/)
  })

  it('runs a prompt exactly like /v1/chat/completions, by latest, version and label', async () => {
    const { data, response } = await run({ variables: { name: 'Ada', city: 'Paris' } })
    expect(response.headers.get('x-switchyard-prompt-version')).toBe('2')
    expect(data.choices[0].message.content).toBe('Echo: Say hi to Ada from Paris')
    const direct = await client.chat.completions.create({
      model: 'mock/gpt-a',
      temperature: 0,
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Say hi to Ada from Paris' },
      ],
    })
    const strip = (c: OpenAI.ChatCompletion) => ({ ...c, id: '', created: 0 })
    expect(strip(data)).toEqual(strip(direct))

    const v1 = await run({ variables: { name: 'Ada' }, version: 1 })
    expect(v1.data.choices[0].message.content).toBe('Echo: Say hello to Ada')

    expect((await admin(app, 'PUT', '/admin/v1/prompts/greet/labels/production', { version: 1 })).status).toBe(200)
    const prod = await run({ variables: { name: 'Bo' }, label: 'production' })
    expect(prod.response.headers.get('x-switchyard-prompt-version')).toBe('1')
    await admin(app, 'PUT', '/admin/v1/prompts/greet/labels/production', { version: 2 })
    const moved = await run({ variables: { name: 'Bo', city: 'Rome' }, label: 'production' })
    expect(moved.data.choices[0].message.content).toBe('Echo: Say hi to Bo from Rome')
    const history = await admin(app, 'GET', '/admin/v1/prompts/greet/label-history')
    expect(history.json.items.map((m: { from: unknown; to: unknown }) => [m.from, m.to])).toEqual([
      [{ version: 1 }, { version: 2 }],
      [null, { version: 1 }],
    ])
    expect((await admin(app, 'PUT', '/admin/v1/prompts/greet/labels/latest', { version: 1 })).status).toBe(400)
    expect((await admin(app, 'PUT', '/admin/v1/prompts/greet/labels/x', { version: 9 })).status).toBe(404)
  })

  it('streams the same SSE chunks as chat completions', async () => {
    const stream = await client.post<OpenAI.ChatCompletionChunk>('/prompts/greet/run', {
      body: { variables: { name: 'Cy', city: 'Oslo' }, stream: true },
      stream: true,
    } as never)
    let text = ''
    for await (const chunk of stream as unknown as AsyncIterable<OpenAI.ChatCompletionChunk>) {
      text += chunk.choices[0]?.delta?.content ?? ''
    }
    expect(text).toBe('Echo: Say hi to Cy from Oslo')
  })

  it('answers 400 listing missing variables and 404 for unknown prompts, versions and labels, in OpenAI shape', async () => {
    const err = await run({ variables: { city: 'Paris' } }).catch((e) => e)
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    expect(err.error).toMatchObject({ code: 'missing_variables', param: 'variables', type: 'invalid_request_error' })
    expect(err.message).toMatch(/not given: name$/)
    const noVars = await run({}).catch((e) => e)
    expect(noVars.message).toMatch(/not given: name, city/)
    for (const body of [{ version: 7 }, { label: 'nope' }]) {
      const e = await run({ variables: { name: 'x', city: 'y' }, ...body }).catch((x) => x)
      expect(e).toBeInstanceOf(OpenAI.NotFoundError)
    }
    expect(await run({}, 'missing').catch((e) => e)).toBeInstanceOf(OpenAI.NotFoundError)
    const both = await run({ version: 1, label: 'production' }).catch((e) => e)
    expect(both).toBeInstanceOf(OpenAI.BadRequestError)
  })

  it('splits a label by weight, sticky per caller, logs the arm and reports stats with feedback', async () => {
    await admin(app, 'PUT', '/admin/v1/prompts/greet/labels/exp', {
      split: [
        { version: 1, weight: 1 },
        { version: 2, weight: 1 },
      ],
    })
    const seen = new Map<string, Set<string>>()
    const requestIds: Record<string, string[]> = {}
    for (let round = 0; round < 2; round++) {
      for (let u = 0; u < 12; u++) {
        const { response } = await run({ variables: { name: 'N', city: 'C' }, label: 'exp', user: `user-${u}` })
        const arm = response.headers.get('x-switchyard-prompt-arm')!
        seen.set(`user-${u}`, (seen.get(`user-${u}`) ?? new Set()).add(arm))
        requestIds[arm] = [...(requestIds[arm] ?? []), response.headers.get('x-request-id')!]
      }
    }
    for (const arms of seen.values()) expect(arms.size).toBe(1)
    expect(Object.keys(requestIds).sort()).toEqual(['exp:v1', 'exp:v2'])

    const rate = (requestId: string, rating: string | null) =>
      admin(app, 'POST', '/admin/v1/feedback', { requestId, rating })
    await rate(requestIds['exp:v1'][0], 'up')
    await rate(requestIds['exp:v1'][1], 'down')
    await rate(requestIds['exp:v1'][1], 'up')
    await rate(requestIds['exp:v2'][0], 'down')
    expect((await rate('x', 'meh')).status).toBe(400)

    const stats = await admin(app, 'GET', '/admin/v1/prompts/greet/stats?label=exp')
    expect(stats.json.items).toEqual([
      expect.objectContaining({
        arm: 'exp:v1',
        version: 1,
        requests: requestIds['exp:v1'].length,
        errors: 0,
        thumbsUp: 2,
        thumbsDown: 0,
      }),
      expect.objectContaining({
        arm: 'exp:v2',
        version: 2,
        requests: requestIds['exp:v2'].length,
        errors: 0,
        thumbsUp: 0,
        thumbsDown: 1,
      }),
    ])
    expect(stats.json.items[0].costUsd).toBeGreaterThan(0)
    expect(stats.json.items[0].meanLatencyMs).toBeGreaterThan(0)
    const row = app
      .db!.prepare('SELECT prompt_name, prompt_version, prompt_arm FROM request_logs WHERE request_id = ?')
      .get(requestIds['exp:v2'][0])
    expect(row).toEqual({ prompt_name: 'greet', prompt_version: 2, prompt_arm: 'exp:v2' })
  })
})

describe('config prompts on restart', () => {
  it('adds a version only when the config prompt changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-prompts-cfg-'))
    const latest = async (greet?: string, edit?: string) => {
      const { app } = await start(mock.url, dir, greet)
      if (edit) {
        await admin(app, 'POST', '/admin/v1/prompts/greet/versions', { messages: [{ role: 'user', content: edit }] })
      }
      const res = await admin(app, 'GET', '/admin/v1/prompts/greet')
      await app.close()
      return res.json.latest.version
    }
    try {
      expect(await latest()).toBe(1)
      expect(await latest()).toBe(1)
      expect(await latest('Greet {{name}} warmly')).toBe(2)
      // A version saved in the app stays the latest while the config prompt is unchanged.
      expect(await latest('Greet {{name}} warmly', 'Edited in the app')).toBe(3)
      expect(await latest('Greet {{name}} warmly')).toBe(3)
      expect(await latest('Greet {{name}} again')).toBe(4)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses a config with an invalid prompt', () => {
    expect(() => buildGateway(parseConfig('prompts: { bad: { messages: [] } }', 'yaml'), { webRoot: false })).toThrow(
      /prompts\/bad\/messages/,
    )
  })
})
