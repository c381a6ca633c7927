import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Anthropic from '@anthropic-ai/sdk'
import Database from 'better-sqlite3'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { adminHeadersOf } from '../helpers/gateway.js'
import { serveFromSource } from '../helpers/serve-source.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// The request log end to end: real SDK traffic through the gateway lands in SQLite with its tokens and
// cost, nothing is lost under concurrency, and rows survive a SIGTERM in the middle of a load.

let mock: RunningMock
const dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'switchyard-log-'))
  dirs.push(d)
  return d
}

beforeAll(async () => {
  mock = await startMockUpstream()
})
afterAll(async () => {
  await mock?.stop()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const yaml = () => `
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1", apiKey: sk-upstream-0123456789abcdef }
  claude: { type: anthropic, baseUrl: "${mock.url}", apiKey: sk-ant-upstream-0123456789abcdef }
pricing:
  mock/mock-gpt: { input: 2, output: 10 }
  claude/mock-claude: { input: 3, output: 15 }
`

type Row = {
  model: string
  input_tokens: number
  output_tokens: number
  cost_usd: number
  is_stream: number
  status: number
}

function rows(dataDir: string): Row[] {
  const db = new Database(join(dataDir, 'switchyard.db'), { readonly: true })
  try {
    return db.prepare('SELECT * FROM request_logs ORDER BY id').all() as Row[]
  } finally {
    db.close()
  }
}

describe('request log through the SDKs', () => {
  it('records tokens and cost (known price × the mock’s token counts) for each inbound API', async () => {
    const dataDir = tempDir()
    const app = buildGateway(parseConfig(yaml(), 'yaml'), { webRoot: false, dataDir })
    const url = await app.listen({ host: '127.0.0.1', port: 0 })
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0 })
    const anthropic = new Anthropic({ baseURL: url, apiKey: 'x', maxRetries: 0 })
    const a = await openai.chat.completions.create({
      model: 'mock/mock-gpt',
      messages: [{ role: 'user', content: 'hello there' }],
    })
    const b = await anthropic.messages.create({
      model: 'claude/mock-claude',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'hello claude' }],
    })
    const s = await openai.chat.completions.create({
      model: 'mock/mock-gpt',
      stream: true,
      messages: [{ role: 'user', content: 'stream me' }],
    })
    for await (const _ of s) {
      // drain
    }
    await app.close()

    const [r1, r2, r3] = rows(dataDir)
    expect(r1).toMatchObject({
      model: 'mock-gpt',
      input_tokens: a.usage?.prompt_tokens,
      output_tokens: 20,
      is_stream: 0,
    })
    expect(r1.cost_usd).toBeCloseTo((a.usage!.prompt_tokens * 2 + 20 * 10) / 1e6, 12)
    expect(r2).toMatchObject({
      model: 'mock-claude',
      input_tokens: b.usage.input_tokens,
      output_tokens: b.usage.output_tokens,
    })
    expect(r2.cost_usd).toBeCloseTo((b.usage.input_tokens * 3 + b.usage.output_tokens * 15) / 1e6, 12)
    expect(r3).toMatchObject({ is_stream: 1, output_tokens: 20, status: 200 })
    expect(r3.cost_usd).toBeGreaterThan(0)
  })

  it('500 concurrent streamed calls produce exactly 500 rows', async () => {
    const dataDir = tempDir()
    const app = buildGateway(parseConfig(yaml(), 'yaml'), { webRoot: false, dataDir })
    const url = await app.listen({ host: '127.0.0.1', port: 0 })
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0, timeout: 60_000 })
    const texts = await Promise.all(
      Array.from({ length: 500 }, async (_, i) => {
        const s = await openai.chat.completions.create({
          model: 'mock/mock-gpt',
          stream: true,
          messages: [{ role: 'user', content: `n${i}` }],
        })
        let text = ''
        for await (const c of s) text += c.choices[0]?.delta?.content ?? ''
        return text
      }),
    )
    expect(new Set(texts).size).toBe(500)
    await app.close()
    const all = rows(dataDir)
    expect(all).toHaveLength(500)
    expect(all.every((r) => r.status === 200 && r.output_tokens === 20)).toBe(true)
  }, 60_000)
})

describe('routing in the log', () => {
  it('shows the failed attempts and the fallback through the admin API', async () => {
    const dataDir = tempDir()
    const config = `
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
  dead: { type: openai-compatible, baseUrl: "http://127.0.0.1:9/v1" }
routes:
  resilient: { retries: { attempts: 0 }, targets: [ { model: dead/x }, { model: mock/mock-gpt } ] }
`
    const app = buildGateway(parseConfig(config, 'yaml'), { webRoot: false, dataDir })
    const url = await app.listen({ host: '127.0.0.1', port: 0 })
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0 })
    await openai.chat.completions.create({ model: 'resilient', messages: [{ role: 'user', content: 'hi' }] })
    app.requestLog.flush()
    const headers = adminHeadersOf(app)
    const { items } = await (await fetch(`${url}/admin/v1/logs`, { headers })).json()
    await app.close()
    expect(items[0]).toMatchObject({ route: 'resilient', provider: 'mock', attempts: 2, isFallback: true })
    expect(items[0].attemptFailures).toEqual([
      {
        provider: 'dead',
        model: 'x',
        status: 502,
        error: expect.stringMatching(/refused/),
        startedAt: expect.any(Number),
        durationMs: expect.any(Number),
      },
    ])
  })
})

describe('shutdown', () => {
  it('rows of every answered call survive a SIGTERM during load', async () => {
    const dataDir = tempDir()
    const configPath = join(dataDir, 'config.yaml')
    writeFileSync(configPath, yaml())
    const { url, stop: stopGateway } = await serveFromSource(dataDir, ['--config', configPath])
    let answered = 0
    let stop = false
    const worker = async () => {
      while (!stop) {
        try {
          const res = await fetch(`${url}/v1/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'hi' }] }),
          })
          if (res.ok) {
            await res.json()
            answered++
          }
        } catch {
          return // the server went away
        }
      }
    }
    const load = Array.from({ length: 16 }, worker)
    await new Promise((r) => setTimeout(r, 700))
    // Calls in flight when the signal arrives are finished and logged; clients send no new ones.
    stop = true
    expect(await stopGateway()).toBe(0)
    await Promise.all(load)
    expect(answered).toBeGreaterThan(50)
    // Every call a client got an answer for is in the log; a few more may have been cut mid-answer.
    expect(rows(dataDir).length).toBeGreaterThanOrEqual(answered)
  }, 30_000)
})
