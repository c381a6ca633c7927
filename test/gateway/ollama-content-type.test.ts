import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// Ollama reads a JSON body whatever its content type, and so do the tools written for it: curl's `-d`
// sends `application/x-www-form-urlencoded`. The `/api/*` routes must take such bodies; `/v1` keeps its rules.

const run = promisify(execFile)
const ROOT = join(import.meta.dirname, '../..')
const README_HOST = 'http://127.0.0.1:4141'

/** Every one-line `curl …/api/…` example in README.md and docs/, as written there. */
function ollamaCurlExamples(): string[] {
  const docs = join(ROOT, 'docs')
  const files = [join(ROOT, 'README.md')]
  if (existsSync(docs)) {
    for (const f of readdirSync(docs, { recursive: true, encoding: 'utf8' })) {
      if (f.endsWith('.md')) files.push(join(docs, f))
    }
  }
  return files.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith(`curl ${README_HOST}/api/`) && !line.endsWith('\\')),
  )
}

let mock: RunningMock
let gw: TestGateway

beforeAll(async () => {
  mock = await startMockUpstream()
  gw = await startGateway(`
providers:
  compat: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
`)
})

afterAll(async () => {
  await gw?.close()
  await mock?.stop()
})

async function curl(command: string): Promise<{ status: number; body: string }> {
  // The example as written, aimed at this gateway; `-w` appends the status on a line of its own.
  const { stdout } = await run('sh', ['-c', `${command} -s -w '\\n%{http_code}'`], { timeout: 10_000 })
  const cut = stdout.lastIndexOf('\n')
  return { body: stdout.slice(0, cut), status: Number(stdout.slice(cut + 1)) }
}

describe("README's Ollama curl examples", () => {
  const examples = ollamaCurlExamples()

  it('exist: /api/chat and /api/embed', () => {
    expect(examples.some((c) => c.includes('/api/chat'))).toBe(true)
    expect(examples.some((c) => c.includes('/api/embed'))).toBe(true)
  })

  it.each(examples)('answers 200: %s', async (example) => {
    const model = example.includes('/api/embed') ? 'compat/mock-embed' : 'compat/mock-gpt'
    const command = example.replaceAll(README_HOST, gw.url).replaceAll('MODEL', model)
    const { status, body } = await curl(command)
    expect(status, body).toBe(200)
    const reply = JSON.parse(body)
    if (example.includes('/api/embed')) expect(reply.embeddings).toHaveLength(2)
    else expect(reply.message.content).toEqual(expect.any(String))
  })
})

describe('/api/* bodies', () => {
  const chat = JSON.stringify({ model: 'compat/mock-gpt', messages: [{ role: 'user', content: 'hi' }], stream: false })
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${gw.url}${path}`, { method: 'POST', body, headers })

  it.each(['application/x-www-form-urlencoded', 'text/plain', 'application/octet-stream'])(
    'are JSON whatever the content type: %s',
    async (type) => {
      const res = await post('/api/chat', chat, { 'content-type': type })
      expect(res.status, await res.clone().text()).toBe(200)
      expect((await res.json()).done).toBe(true)
    },
  )

  it('are JSON without a content type', async () => {
    const res = await fetch(`${gw.url}/api/chat`, { method: 'POST', body: new Blob([chat]) })
    expect(res.status).toBe(200)
  })

  it('keep the JSON checks: null, empty, broken and too deep are refused in Ollama format', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' }
    const deep = `${'['.repeat(200)}${']'.repeat(200)}`
    for (const body of ['null', '', '{"model":', `{"model":"compat/mock-gpt","messages":${deep}}`]) {
      const res = await post('/api/chat', body, form)
      expect(res.status, body.slice(0, 20)).toBe(400)
      expect(await res.json()).toEqual({ error: expect.any(String) })
    }
  })

  it('still refuse a cross-site page: a form-encoded POST is a simple request, the Origin check stops it', async () => {
    const res = await post('/api/chat', chat, {
      'content-type': 'application/x-www-form-urlencoded',
      origin: 'https://evil.example',
    })
    expect(res.status).toBe(403)
  })

  it('leave /v1 as it was: a form-encoded body there is still refused', async () => {
    const res = await post('/v1/chat/completions', chat, { 'content-type': 'application/x-www-form-urlencoded' })
    expect(res.status).toBe(415)
  })
})
