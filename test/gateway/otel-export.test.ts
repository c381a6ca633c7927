import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import Anthropic from '@anthropic-ai/sdk'
import type { FastifyInstance } from 'fastify'
import OpenAI from 'openai'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { createMemorySecretStore } from '../../src-gateway/config/secrets.js'
import { createMemorySink } from '../../src-gateway/core/log-event.js'
import { buildGateway } from '../../src-gateway/server.js'
import { adminFetch } from '../helpers/gateway.js'
import { attrs, metricsOf, type OtlpSpan, spansOf, startReceiver } from '../helpers/otlp-receiver.js'
import { CHAT_COMPLETION, sendJson, sendSse, startScriptedUpstream } from '../helpers/upstreams.js'

// A gateway with `telemetry.otlp` pointing at a small OTLP/HTTP receiver, called through the real SDKs.

const CLIENT_KEY = 'sk-client-0123456789abcdef'
const UPSTREAM_KEY = 'sk-upstream-fedcba9876543210'
const OTEL_SECRET = 'Bearer otel-ingest-token-5551212'
const env = { CLIENT_KEY, UPSTREAM_KEY }

const SERVER = 2
const CLIENT = 3
const ERROR = 2

let up: Awaited<ReturnType<typeof startScriptedUpstream>>
let receiver: Awaited<ReturnType<typeof startReceiver>>
const apps: FastifyInstance[] = []

beforeAll(async () => {
  up = await startScriptedUpstream({
    'POST /v1/chat/completions': (req, res) => {
      const body = req.body as { model: string; stream?: boolean }
      if (body.model === 'broken') return sendJson(res, 500, { error: { message: 'boom', type: 'server_error' } })
      if (body.stream) {
        const frame = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`
        const base = { id: 'chatcmpl-s1', object: 'chat.completion.chunk', created: 1, model: body.model }
        return sendSse(res, [
          frame({ ...base, choices: [{ index: 0, delta: { content: 'streamed' }, finish_reason: null }] }),
          frame({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
          frame({ ...base, choices: [], usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 } }),
          'data: [DONE]\n\n',
        ])
      }
      return sendJson(res, 200, { ...CHAT_COMPLETION, id: 'chatcmpl-ok', model: body.model })
    },
    'POST /v1/embeddings': (_req, res) =>
      sendJson(res, 200, {
        object: 'list',
        data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }],
        model: 'embed',
        usage: { prompt_tokens: 4, total_tokens: 4 },
      }),
    'POST /v1/messages': (_req, res) =>
      sendJson(res, 200, {
        id: 'msg_01',
        type: 'message',
        role: 'assistant',
        model: 'claude-x',
        content: [
          { type: 'text', text: 'Let me look.' },
          { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
        ],
        stop_reason: 'tool_use',
        usage: { input_tokens: 11, output_tokens: 6 },
      }),
  })
  receiver = await startReceiver()
})
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()))
  receiver.received.length = 0
})
afterAll(async () => {
  await up.stop()
  await receiver.close()
})

const providers = () => `
keys:
  - { name: team-a, key: "\${env:CLIENT_KEY}" }
providers:
  up: { type: openai, baseUrl: "${up.url}/v1", apiKey: "\${env:UPSTREAM_KEY}" }
  claude: { type: anthropic, baseUrl: "${up.url}", apiKey: "\${env:UPSTREAM_KEY}" }
routes:
  smart:
    retries: { attempts: 0 }
    targets: [ { model: up/broken }, { model: up/good } ]
pricing:
  up/good: { input: 10, output: 30 }
`

async function start(yaml: string, secrets = createMemorySecretStore()) {
  const app = buildGateway(parseConfig(yaml, 'yaml', env, secrets), {
    webRoot: false,
    sink: createMemorySink(),
    secrets,
  })
  apps.push(app)
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, url, openai: new OpenAI({ baseURL: `${url}/v1`, apiKey: CLIENT_KEY, maxRetries: 0 }) }
}

describe('OpenTelemetry export over OTLP/HTTP', () => {
  it('exports a span per call with its attempts, GenAI attributes, tool calls and metrics, and no secret', async () => {
    const secrets = createMemorySecretStore()
    secrets.set('telemetry.otlp.headers.authorization', OTEL_SECRET)
    const { app, url, openai } = await start(
      `${providers()}
telemetry:
  otlp:
    endpoint: "${receiver.url}"
    headers: { authorization: "\${secret:telemetry.otlp.headers.authorization}" }
    serviceName: gateway-under-test
`,
      secrets,
    )
    const anthropic = new Anthropic({ baseURL: url, apiKey: CLIENT_KEY, maxRetries: 0 })
    const message = await anthropic.messages.create({
      model: 'claude/claude-x',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
    })
    expect(message.stop_reason).toBe('tool_use')
    const stream = await openai.chat.completions.create({
      model: 'up/good',
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    for await (const _ of stream) {
      // read to the end
    }
    const fallback = await openai.chat.completions.create({
      model: 'smart',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.3,
      top_p: 0.9,
      max_tokens: 20,
    })
    expect(fallback.choices[0].message.content).toBe('ok')
    const embedded = await openai.embeddings.create({ model: 'up/embed', input: 'vectors', encoding_format: 'float' })
    expect(embedded.data[0].embedding).toHaveLength(3)
    // Closing flushes the spans and sends one last collection of the metrics.
    await app.close()

    const traces = receiver.received.filter((r) => r.path === '/v1/traces')
    expect(traces.length).toBeGreaterThan(0)
    // The header's value came from the secret store.
    for (const r of receiver.received) {
      expect(r.headers.authorization).toBe(OTEL_SECRET)
      expect(r.headers['content-type']).toBe('application/json')
    }
    const resource = attrs(traces[0].body.resourceSpans?.[0].resource.attributes)
    expect(resource['service.name']).toBe('gateway-under-test')

    const spans = spansOf(receiver.received)
    const byName = (name: string) => spans.filter((s) => s.name === name)
    const childrenOf = (parent: OtlpSpan) => spans.filter((s) => s.parentSpanId === parent.spanId)

    // A success (Anthropic): request parameters, the answer's id, finish reason, usage and its tool call.
    const [claudeCall] = byName('chat claude/claude-x')
    expect(claudeCall.kind).toBe(SERVER)
    expect(claudeCall.parentSpanId ?? '').toBe('')
    expect(attrs(claudeCall.attributes)).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude/claude-x',
      'gen_ai.response.model': 'claude-x',
      'gen_ai.request.max_tokens': 50,
      'gen_ai.response.id': 'msg_01',
      'gen_ai.response.finish_reasons': ['tool_use'],
      'gen_ai.usage.input_tokens': 11,
      'gen_ai.usage.output_tokens': 6,
      'switchyard.key_name': 'team-a',
      'switchyard.inbound_api': 'anthropic',
      'switchyard.status': 200,
    })
    const [claudeAttempt] = childrenOf(claudeCall)
    expect(claudeAttempt.kind).toBe(CLIENT)
    expect(claudeAttempt.traceId).toBe(claudeCall.traceId)
    expect(attrs(claudeAttempt.attributes)).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-x',
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(up.url).port),
    })
    const toolEvent = claudeAttempt.events?.find((e) => e.name === 'gen_ai.tool.call')
    expect(attrs(toolEvent?.attributes)).toEqual({
      'gen_ai.tool.name': 'get_weather',
      'gen_ai.tool.call.id': 'toolu_01',
    })

    // A stream: its usage and time to first chunk.
    const [streamCall] = byName('chat up/good')
    expect(attrs(streamCall.attributes)).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.usage.input_tokens': 7,
      'gen_ai.usage.output_tokens': 2,
      'gen_ai.provider.name': 'openai',
    })
    // 7 input tokens at $10 and 2 output tokens at $30 per million.
    expect(attrs(streamCall.attributes)['switchyard.cost_usd']).toBeCloseTo(0.00013, 10)
    const [streamAttempt] = childrenOf(streamCall)
    expect(attrs(streamAttempt.attributes)['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0)

    // A fallback: the failed attempt with error status and error.type, then the one that answered.
    const [routeCall] = byName('chat smart')
    expect(attrs(routeCall.attributes)).toMatchObject({
      'switchyard.route': 'smart',
      'switchyard.fallback': true,
      'switchyard.attempts': 2,
      'gen_ai.request.temperature': 0.3,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.max_tokens': 20,
      'gen_ai.response.model': 'good',
      'gen_ai.response.id': 'chatcmpl-ok',
      'gen_ai.response.finish_reasons': ['stop'],
    })
    expect(routeCall.status?.code ?? 0).not.toBe(ERROR)
    const attempts = childrenOf(routeCall).sort((a, b) =>
      Number(BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano)),
    )
    expect(attempts.map((s) => s.name)).toEqual(['chat broken', 'chat good'])
    expect(attempts.every((s) => s.kind === CLIENT && s.traceId === routeCall.traceId)).toBe(true)
    expect(attempts[0].status?.code).toBe(ERROR)
    expect(attrs(attempts[0].attributes)['error.type']).toBe('500')
    expect(attrs(attempts[1].attributes)).toMatchObject({ 'gen_ai.response.model': 'good' })
    expect(attrs(attempts[1].attributes)['error.type']).toBeUndefined()
    expect(BigInt(attempts[0].endTimeUnixNano)).toBeLessThanOrEqual(BigInt(attempts[1].startTimeUnixNano))
    expect(BigInt(attempts[1].endTimeUnixNano)).toBeLessThanOrEqual(BigInt(routeCall.endTimeUnixNano))
    expect(BigInt(routeCall.startTimeUnixNano)).toBeLessThanOrEqual(BigInt(attempts[0].startTimeUnixNano))

    // Embeddings.
    const [embedCall] = byName('embeddings up/embed')
    expect(attrs(embedCall.attributes)).toMatchObject({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.usage.input_tokens': 4,
    })

    // Metrics: the GenAI histograms with the conventions' buckets, and the gateway's counters.
    const metrics = metricsOf(receiver.received)
    const names = new Set(metrics.map((m) => m.name))
    for (const name of [
      'gen_ai.client.token.usage',
      'gen_ai.client.operation.duration',
      'gen_ai.server.time_to_first_token',
      'switchyard.requests',
      'switchyard.tokens',
      'switchyard.cost.usd',
      'switchyard.request.duration',
    ])
      expect(names).toContain(name)
    const usage = metrics.find((m) => m.name === 'gen_ai.client.token.usage')
    expect(usage?.histogram?.dataPoints[0].explicitBounds).toEqual([
      1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
    ])

    // Nothing secret left the gateway, and no prompt text without captureContent.
    const all = receiver.received.map((r) => r.text).join('\n')
    for (const secret of [CLIENT_KEY, UPSTREAM_KEY, OTEL_SECRET, 'otel-ingest-token']) expect(all).not.toContain(secret)
    expect(all).not.toContain('weather in Paris')
  })

  it('sends nothing while off, and starts and stops exporting as config changes turn it on and off', async () => {
    const { app, url, openai } = await start(providers())
    await openai.chat.completions.create({ model: 'up/good', messages: [{ role: 'user', content: 'quiet' }] })
    await new Promise((r) => setTimeout(r, 50))
    expect(receiver.received).toEqual([])

    // A plain header value in an imported config goes to the secret store; the export never shows it.
    const imported = `${providers()}
telemetry:
  otlp:
    endpoint: "${receiver.url}"
    headers: { x-api-key: "plain-ingest-key-777" }
    captureContent: true
`
    const res = await adminFetch(app, `${url}/admin/v1/config/import?apply=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: imported,
    })
    expect(res.status).toBe(200)
    const exported = await (await adminFetch(app, `${url}/admin/v1/config/export?format=yaml&secrets=refs`)).text()
    expect(exported).toContain('x-api-key: ${secret:telemetry.otlp.headers.x-api-key}')
    expect(exported).not.toContain('plain-ingest-key-777')

    // The prompt carries the upstream key by mistake: captured content has it scrubbed.
    await openai.chat.completions.create({
      model: 'up/good',
      messages: [{ role: 'user', content: `now loud, my key is ${UPSTREAM_KEY}` }],
    })
    // Turned off again: the exporter sends what it has and stops.
    const off = await adminFetch(app, `${url}/admin/v1/config/import?apply=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: providers(),
    })
    expect(off.status).toBe(200)
    await openai.chat.completions.create({ model: 'up/good', messages: [{ role: 'user', content: 'quiet again' }] })
    await app.close()

    expect(receiver.received.length).toBeGreaterThan(0)
    for (const r of receiver.received) expect(r.headers['x-api-key']).toBe('plain-ingest-key-777')
    const spans = spansOf(receiver.received)
    expect(spans.map((s) => s.name)).toContain('chat up/good')
    const call = spans.find((s) => s.name === 'chat up/good' && s.kind === SERVER)
    const input = JSON.parse(String(attrs(call?.attributes)['gen_ai.input.messages']))
    expect(input).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'now loud, my key is [redacted]' }] }])
    const output = JSON.parse(String(attrs(call?.attributes)['gen_ai.output.messages']))
    expect(output).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'ok' }], finish_reason: 'stop' }])
    // Only the call made while it was on was exported.
    expect(spans.filter((s) => s.kind === SERVER)).toHaveLength(1)
    expect(receiver.received.map((r) => r.text).join('\n')).not.toContain('quiet')
    expect(receiver.received.map((r) => r.text).join('\n')).not.toContain(UPSTREAM_KEY)
  })

  it('exports an answer from the cache as a call without an attempt, which cost nothing', async () => {
    const { app, openai } = await start(`${providers()}
cache: { mode: exact }
telemetry:
  otlp:
    endpoint: "${receiver.url}"
`)
    const ask = () =>
      openai.chat.completions.create({ model: 'up/good', messages: [{ role: 'user', content: 'same' }] })
    await ask()
    await ask()
    await app.close()

    const calls = spansOf(receiver.received).filter((s) => s.kind === SERVER)
    expect(calls).toHaveLength(2)
    const [first, hit] = calls.map((s) => ({ span: s, a: attrs(s.attributes) }))
    // 3 input tokens at $10 and 1 output token at $30 per million (CHAT_COMPLETION's usage).
    expect(first.a['switchyard.cost_usd']).toBeCloseTo(0.00006, 10)
    expect(hit.a).toMatchObject({ 'switchyard.cache_hit': true, 'switchyard.cost_usd': 0 })
    expect(hit.a['switchyard.cache_saved_usd']).toBeCloseTo(0.00006, 10)
    expect(spansOf(receiver.received).filter((s) => s.parentSpanId === hit.span.spanId)).toEqual([])
    const spend = metricsOf(receiver.received).find((m) => m.name === 'switchyard.cost.usd')
    expect(spend?.sum?.dataPoints.reduce((total, p) => total + (p.asDouble ?? 0), 0)).toBeCloseTo(0.00006, 10)
  })

  it('refuses a config whose exporter header name HTTP cannot send', () => {
    const yaml = (name: string) =>
      `telemetry:\n  otlp:\n    endpoint: "http://127.0.0.1:4318"\n    headers: { "${name}": "v" }\n`
    expect(() => parseConfig(yaml('x-api-key'), 'yaml', env)).not.toThrow()
    expect(() => parseConfig(yaml('bad header'), 'yaml', env)).toThrow(/telemetry\/otlp\/headers\/bad header/)
  })

  it('warns once when the collector refuses the export, and the calls are answered meanwhile', async () => {
    let refused = 0
    const strict = createServer((req, res) => {
      req.resume()
      refused++
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"bad token"}')
    })
    await new Promise<void>((resolve) => strict.listen(0, '127.0.0.1', resolve))
    const origin = `http://127.0.0.1:${(strict.address() as AddressInfo).port}`
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    try {
      const { app, openai } = await start(`${providers()}
telemetry:
  otlp:
    endpoint: "${origin}"
`)
      for (let i = 0; i < 3; i++) {
        const res = await openai.chat.completions.create({
          model: 'up/good',
          messages: [{ role: 'user', content: 'x' }],
        })
        expect(res.choices[0].message.content).toBe('ok')
      }
      await app.close()
      expect(refused).toBeGreaterThanOrEqual(2)
      const ours = warnings.mock.calls.filter((c) => String(c[0]).startsWith('OpenTelemetry export'))
      expect(ours).toHaveLength(1)
      expect(String(ours[0][0])).toContain(`OpenTelemetry export to ${origin} is failing`)
    } finally {
      warnings.mockRestore()
      await new Promise((resolve) => strict.close(resolve))
    }
  })
})
