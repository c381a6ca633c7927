import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { createMemorySink } from '../../src-gateway/core/log-event.js'
import { buildGateway } from '../../src-gateway/server.js'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { runTool, toolBin } from '../helpers/run-tool.js'
import { startToolMock } from '../helpers/tool-mock.js'

// The integrations.md §6 checklist items that are not a whole surface of their own: what Claude Code sends
// to /v1/messages, CORS for browser clients, `/` for Ollama probes beside the web UI, and the busy port.

let tools: Awaited<ReturnType<typeof startToolMock>>
let gw: TestGateway

beforeAll(async () => {
  tools = await startToolMock()
  gw = await startGateway(`
providers:
  compat: { type: openai-compatible, baseUrl: "${tools.url}/v1" }
  claude: { type: anthropic, baseUrl: "${tools.url}", apiKey: sk-ant-test }
`)
})

afterAll(async () => {
  await gw?.close()
  await tools?.stop()
})

/** The shape of Claude Code 2.1's `-p` request (integrations.md §7), trimmed. */
function claudeCodeBody(model: string) {
  return {
    model,
    max_tokens: 32000,
    stream: true,
    system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'hello' }] },
      { role: 'system', content: 'Attribution reminder.' },
    ],
    thinking: { type: 'adaptive', display: 'omitted' },
    context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
    output_config: { effort: 'high' },
    metadata: { user_id: 'user_1' },
  }
}

const CLAUDE_HEADERS = {
  'content-type': 'application/json',
  authorization: 'Bearer sy-local-key',
  'anthropic-version': '2023-06-01',
  'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14,some-future-flag-2027-01-01',
}

describe("Claude Code's /v1/messages?beta=true", () => {
  it('passes everything through to an Anthropic upstream, betas included', async () => {
    const res = await fetch(`${gw.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: CLAUDE_HEADERS,
      body: JSON.stringify(claudeCodeBody('claude/tool-model')),
    })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('event: message_stop')
    const sent = tools.requests.at(-1)!
    expect(sent.path).toBe('/v1/messages')
    expect(sent.headers['anthropic-beta']).toBe(CLAUDE_HEADERS['anthropic-beta'])
    expect(sent.body).toMatchObject({
      model: 'tool-model',
      thinking: { type: 'adaptive', display: 'omitted' },
      context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
      output_config: { effort: 'high' },
      messages: [expect.anything(), { role: 'system', content: 'Attribution reminder.' }],
    })
  })

  it('translates for an OpenAI-shaped upstream: system messages kept, Anthropic-only fields dropped', async () => {
    const res = await fetch(`${gw.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: CLAUDE_HEADERS,
      body: JSON.stringify(claudeCodeBody('compat/tool-model')),
    })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('"text":": hello"')
    const sent = tools.requests.at(-1)!.body as Record<string, unknown>
    expect(sent.messages).toEqual([
      { role: 'system', content: [{ type: 'text', text: 'You are Claude Code.' }] },
      { role: 'user', content: 'hello' },
      { role: 'system', content: 'Attribution reminder.' },
    ])
    for (const k of ['thinking', 'context_management', 'output_config', 'metadata', 'system']) {
      expect(sent).not.toHaveProperty(k)
    }
  })
})

describe('CORS for browser clients', () => {
  const preflight = (path: string, origin: string) =>
    fetch(`${gw.url}${path}`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers':
          'authorization,content-type,x-api-key,anthropic-version,anthropic-dangerous-direct-browser-access,x-stainless-os',
      },
    })

  it('answers a preflight from a local page, allowing the SDK headers', async () => {
    const res = await preflight('/v1/messages', 'http://localhost:3000')
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:3000')
    const allowed = res.headers.get('access-control-allow-headers') ?? ''
    for (const h of ['authorization', 'x-api-key', 'anthropic-dangerous-direct-browser-access', 'x-stainless-os']) {
      expect(allowed).toContain(h)
    }
  })

  it('gives a foreign website no CORS grant', async () => {
    const res = await preflight('/v1/chat/completions', 'https://evil.example')
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('exposes the request id to a local page, and leaves origin-less calls (CLIs, admin, health) alone', async () => {
    const res = await fetch(`${gw.url}/v1/models`, { headers: { origin: 'http://127.0.0.1:5173' } })
    expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173')
    expect(res.headers.get('access-control-expose-headers')).toContain('x-request-id')
    // Browser clients read rate limits and routing outcomes too.
    expect(res.headers.get('access-control-expose-headers')).toContain('x-ratelimit-remaining-requests')
    expect(res.headers.get('access-control-expose-headers')).toContain('x-switchyard-attempts')
    // A call without an Origin is no browser's: it gets no CORS headers to parse.
    const plain = await fetch(`${gw.url}/v1/models`)
    expect(plain.status).toBe(200)
    expect(plain.headers.get('access-control-expose-headers')).toBeNull()
    expect(plain.headers.get('access-control-allow-origin')).toBeNull()
    expect((await fetch(`${gw.url}/health`)).status).toBe(200)
    expect((await fetch(`${gw.url}/admin/v1/logs`)).status).not.toBe(404)
  })
})

describe('GET / beside the web UI', () => {
  let app: FastifyInstance
  let url: string
  let webRoot: string

  beforeAll(async () => {
    webRoot = await mkdtemp(join(tmpdir(), 'switchyard-web-'))
    await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>Switchyard</title>')
    app = buildGateway(parseConfig('providers: {}', 'yaml', {}), { webRoot, sink: createMemorySink() })
    url = await app.listen({ host: '127.0.0.1', port: 0 })
  })

  afterAll(async () => {
    await app?.close()
    await rm(webRoot, { recursive: true, force: true })
  })

  it('serves the web UI to browsers', async () => {
    const res = await fetch(`${url}/`, { headers: { accept: 'text/html,application/xhtml+xml' } })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('<title>Switchyard</title>')
  })

  it('answers Ollama probes (GET and HEAD) with 200 "Ollama is running"', async () => {
    const get = await fetch(`${url}/`, { headers: { accept: '*/*' } })
    expect(get.status).toBe(200)
    expect(await get.text()).toBe('Ollama is running')
    expect((await fetch(`${url}/`, { method: 'HEAD' })).status).toBe(200)
  })
})

describe('a busy port', () => {
  it('makes `switchyard serve` exit with a message that says so', { timeout: 30_000 }, async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as { port: number }).port
    const dataDir = await mkdtemp(join(tmpdir(), 'switchyard-busy-'))
    try {
      const run = await runTool(
        toolBin('tsx'),
        [join(import.meta.dirname, '../../src-gateway/cli.ts'), 'serve', '--port', String(port), '--data-dir', dataDir],
        { HOME: dataDir },
        dataDir,
      )
      expect(run.code).toBe(1)
      expect(run.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`)
    } finally {
      blocker.close()
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
