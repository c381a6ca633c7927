import type { FastifyInstance } from 'fastify'
import OpenAI from 'openai'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { createMemorySecretStore } from '../../src-gateway/config/secrets.js'
import { createMemorySink } from '../../src-gateway/core/log-event.js'
import { buildGateway } from '../../src-gateway/server.js'
import { attrs, startReceiver } from '../helpers/otlp-receiver.js'
import { CHAT_COMPLETION, sendJson, startScriptedUpstream } from '../helpers/upstreams.js'

// The OTLP exporter's headers are credential fields (issue 23): a `${secret:…}` there resolves only to the
// exporter's own secrets, so a config cannot send a provider key to a collector it names; a reference
// anywhere else in `telemetry:` stays text.

const PROVIDER_KEY = 'sk-provider-key-never-exported-42'

let up: Awaited<ReturnType<typeof startScriptedUpstream>>
let receiver: Awaited<ReturnType<typeof startReceiver>>
const apps: FastifyInstance[] = []

beforeAll(async () => {
  up = await startScriptedUpstream({ 'POST /v1/chat/completions': (_req, res) => sendJson(res, 200, CHAT_COMPLETION) })
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

async function callThrough(telemetry: string): Promise<void> {
  const secrets = createMemorySecretStore()
  secrets.set('providers.up.apiKey', PROVIDER_KEY)
  const yaml = `
providers:
  up: { type: openai, baseUrl: "${up.url}/v1", apiKey: "\${secret:providers.up.apiKey}" }
telemetry:
${telemetry}`
  const app = buildGateway(parseConfig(yaml, 'yaml', {}, secrets), {
    webRoot: false,
    sink: createMemorySink(),
    secrets,
  })
  apps.push(app)
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0 })
  await openai.chat.completions.create({ model: 'up/m', messages: [{ role: 'user', content: 'hi' }] })
  await app.close()
}

describe('OpenTelemetry export and secrets', () => {
  it("does not resolve another field's secret in an exporter header", async () => {
    await callThrough(`  otlp:
    endpoint: "${receiver.url}"
    headers: { authorization: "Bearer \${secret:providers.up.apiKey}" }
`)
    expect(receiver.received.length).toBeGreaterThan(0)
    for (const r of receiver.received) expect(r.headers.authorization).toBe('Bearer')
    expect(receiver.received.map((r) => r.text).join('\n')).not.toContain(PROVIDER_KEY)
  })

  it('keeps a reference outside the credential fields as text', async () => {
    await callThrough(`  otlp:
    endpoint: "${receiver.url}"
    serviceName: "\${secret:providers.up.apiKey}"
`)
    const traces = receiver.received.find((r) => r.path === '/v1/traces')
    expect(attrs(traces?.body.resourceSpans?.[0].resource.attributes)['service.name']).toBe(
      '${secret:providers.up.apiKey}',
    )
    expect(receiver.received.map((r) => r.text).join('\n')).not.toContain(PROVIDER_KEY)
  })
})
