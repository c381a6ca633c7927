import { Ollama } from 'ollama'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { everyProviderYaml, PROVIDERS } from '../helpers/every-provider.js'
import { startGateway, type TestGateway, waitForEvents } from '../helpers/gateway.js'
import { geminiGenerate, geminiStream } from '../helpers/gemini-mock.js'
import { startToolMock } from '../helpers/tool-mock.js'
import { type RunningMock, sendJson, startMockUpstream, startScriptedUpstream } from '../helpers/upstreams.js'

// The Ollama-compatible surface through the official `ollama` client, against every provider type.

let mock: RunningMock
let gemini: RunningMock
let ollamaEmbedUpstream: RunningMock
let tools: Awaited<ReturnType<typeof startToolMock>>
let gw: TestGateway
let client: Ollama

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='
const WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
}

/** Where each provider type serves embeddings (Anthropic has none). */
const EMBED_MODEL: Record<(typeof PROVIDERS)[number], string | undefined> = {
  oa: 'oa/mock-embed',
  compat: 'compat/mock-embed',
  cpp: 'cpp/mock-embed',
  llama: 'e-llama/mock-embed',
  gem: 'gem/mock-embed',
  claude: undefined,
}

beforeAll(async () => {
  mock = await startMockUpstream()
  gemini = await startScriptedUpstream({
    'POST /v1beta/models/mock-gpt:generateContent': geminiGenerate,
    'POST /v1beta/models/mock-gpt:streamGenerateContent': geminiStream,
    'POST /v1beta/models/mock-embed:batchEmbedContents': (req, res) =>
      sendJson(res, 200, {
        embeddings: (req.body as { requests: unknown[] }).requests.map((_, i) => ({ values: [i, 0.5, 0.25] })),
      }),
  })
  ollamaEmbedUpstream = await startScriptedUpstream({
    'GET /api/ps': (_req, res) =>
      sendJson(res, 200, {
        models: [{ name: 'llama3.2:3b', model: 'llama3.2:3b', size: 3_000_000_000, size_vram: 2_500_000_000 }],
      }),
    'POST /api/embed': (req, res) => {
      const input = (req.body as { input: string | string[] }).input
      const n = typeof input === 'string' ? 1 : input.length
      sendJson(res, 200, {
        model: 'mock-embed',
        embeddings: Array.from({ length: n }, (_, i) => [i, 1, 2]),
        prompt_eval_count: 3,
      })
    },
  })
  tools = await startToolMock()
  gw = await startGateway(`
providers:
${everyProviderYaml(mock.url, gemini.url)}
  e-llama: { type: ollama, baseUrl: "${ollamaEmbedUpstream.url}" }
${everyProviderYaml(tools.url, tools.url, 't-')}
routes:
  fast:
    targets: [{ model: compat/mock-gpt }]
`)
  client = new Ollama({ host: gw.url })
  // /api/tags lists what upstreams list; let the background listing finish first.
  await gw.app.gateway.catalog.refreshAll()
})

afterAll(async () => {
  await gw?.close()
  await mock?.stop()
  await gemini?.stop()
  await ollamaEmbedUpstream?.stop()
  await tools?.stop()
})

describe.each(PROVIDERS)('Ollama client → provider %s', (provider) => {
  const model = `${provider}/mock-gpt`

  it('chat, streamed by default, ends with done and counts', async () => {
    const before = gw.events.length
    const stream = await client.chat({ model, messages: [{ role: 'user', content: 'hello ollama' }], stream: true })
    let text = ''
    let last: Awaited<ReturnType<typeof client.chat>> | undefined
    for await (const part of stream) {
      text += part.message.content
      last = part
    }
    expect(text).toBe('Echo: hello ollama')
    // The model that answered, as the upstream names it (docs/tools.md, "What every API answers").
    expect(last).toMatchObject({ done: true, done_reason: 'stop', model: 'mock-gpt' })
    expect(last?.eval_count).toBeGreaterThan(0)
    expect(last?.prompt_eval_count).toBeGreaterThan(0)
    expect(last?.total_duration).toBeGreaterThan(0)
    const [event] = (await waitForEvents(gw, before + 1)).slice(before)
    expect(event).toMatchObject({ inboundApi: 'ollama', provider, status: 200, stream: true })
  })

  it('chat with stream:false answers one object', async () => {
    const res = await client.chat({
      model,
      stream: false,
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'hello once' },
      ],
      options: { temperature: 0.2, num_predict: 64 },
    })
    expect(res.message).toMatchObject({ role: 'assistant', content: 'Echo: hello once' })
    expect(res).toMatchObject({ done: true, done_reason: 'stop' })
    expect(res.eval_count).toBeGreaterThan(0)
  })

  it('generate, streamed and not, answers in `response`', async () => {
    const once = await client.generate({ model, prompt: 'hello generate', system: 'Be terse.', stream: false })
    expect(once.response).toBe('Echo: hello generate')
    expect(once.done).toBe(true)
    const stream = await client.generate({ model, prompt: 'hello stream', stream: true })
    let text = ''
    let done = false
    for await (const part of stream) {
      text += part.response
      done ||= part.done
    }
    expect(text).toBe('Echo: hello stream')
    expect(done).toBe(true)
  })

  it('chat with tools: arguments come back as an object, results go back by tool name', async () => {
    const t = `t-${provider}/tool-model`
    const messages = [{ role: 'user', content: 'Weather in Paris?' }]
    const first = await client.chat({ model: t, messages, tools: [WEATHER], stream: false })
    expect(first.message.tool_calls).toEqual([
      expect.objectContaining({
        function: expect.objectContaining({ name: 'get_weather', arguments: { city: 'Paris' } }),
      }),
    ])
    const streamed = await client.chat({ model: t, messages, tools: [WEATHER], stream: true })
    const calls = []
    for await (const part of streamed) calls.push(...(part.message.tool_calls ?? []))
    expect(calls.map((c) => c.function.arguments)).toEqual([{ city: 'Paris' }])
    const second = await client.chat({
      model: t,
      tools: [WEATHER],
      stream: false,
      messages: [...messages, first.message, { role: 'tool', content: 'Sunny, 21C', tool_name: 'get_weather' }],
    })
    expect(second.message.content).toBe('Tool said: Sunny, 21C')
  })

  it('embed and legacy embeddings', async () => {
    const embedModel = EMBED_MODEL[provider]
    if (!embedModel) {
      const err = await client.embed({ model: `${provider}/mock-embed`, input: 'x' }).catch((e) => e)
      expect(err.status_code).toBe(400)
      expect(err.error).toMatch(/has no embeddings API/)
      return
    }
    const res = await client.embed({ model: embedModel, input: ['one', 'two'] })
    expect(res.embeddings).toHaveLength(2)
    expect(res.embeddings[0].length).toBeGreaterThan(0)
    expect(typeof res.embeddings[0][0]).toBe('number')
    const legacy = await client.embeddings({ model: embedModel, prompt: 'one' })
    expect(legacy.embedding).toEqual(res.embeddings[0])
  })

  it('show reports capabilities and a context length under the architecture', async () => {
    const show = await client.show({ model })
    expect(show.capabilities).toEqual(expect.arrayContaining(['completion', 'tools']))
    const info = show.model_info as unknown as Record<string, unknown>
    const arch = info['general.architecture'] as string
    expect(arch).toBeTruthy()
    expect(info[`${arch}.context_length`]).toBeGreaterThan(0)
    expect(show.template).not.toContain('.Suffix')
  })
})

describe('Ollama client: listing and probes', () => {
  it('version is a plain semver at least 0.6.4', async () => {
    const { version } = await client.version()
    const [major, minor] = version.split('.').map(Number)
    expect(major > 0 || minor >= 6).toBe(true)
  })

  it('ps merges what the Ollama servers behind the gateway have loaded, under provider/model names', async () => {
    const { models } = await client.ps()
    // The mock Ollama server has no /api/ps and is left out; the scripted one reports one model.
    expect(models).toEqual([
      expect.objectContaining({ name: 'e-llama/llama3.2:3b', model: 'e-llama/llama3.2:3b', size_vram: 2_500_000_000 }),
    ])
  })

  it('list shows route aliases and provider/model ids with name, model and details', async () => {
    const { models } = await client.list()
    const names = models.map((m) => m.name)
    expect(names).toEqual(expect.arrayContaining(['fast', 'oa/mock-gpt', 'compat/mock-gpt', 'llama/mock-llama:latest']))
    for (const m of models) {
      expect(m.model).toBe(m.name)
      expect(m.digest).toMatch(/^[0-9a-f]{64}$/)
      expect(m.details.family).toBeTruthy()
    }
  })

  it('show accepts the legacy `name` field and 404s an unknown model', async () => {
    const res = await fetch(`${gw.url}/api/show`, {
      method: 'POST',
      body: JSON.stringify({ name: 'fast' }),
      headers: { 'content-type': 'application/json' },
    })
    expect(res.status).toBe(200)
    expect((await res.json()).capabilities).toContain('completion')
    const err = await client.show({ model: 'nope/none' }).catch((e) => e)
    expect(err.status_code).toBe(404)
    expect(err.error).toMatch(/not configured/)
  })

  it('an embedding model shows the embedding capability', async () => {
    const show = await client.show({ model: 'oa/mock-embed' })
    expect(show.capabilities).toEqual(['embedding'])
  })

  it('GET and HEAD / answer 200 "Ollama is running", also to browsers when no web UI is served', async () => {
    const get = await fetch(`${gw.url}/`)
    expect(get.status).toBe(200)
    expect(await get.text()).toBe('Ollama is running')
    expect((await fetch(`${gw.url}/`, { method: 'HEAD' })).status).toBe(200)
    expect((await fetch(`${gw.url}/`, { headers: { accept: 'text/html' } })).status).toBe(200)
  })

  it('an empty prompt is a load request: done at once, without an upstream call', async () => {
    const before = tools.requests.length
    const res = await client.generate({ model: 't-compat/tool-model', prompt: '', stream: false })
    expect(res).toMatchObject({ done: true, done_reason: 'load', response: '' })
    expect(tools.requests.length).toBe(before)
  })

  it('sends images as data URLs upstream and maps options and format', async () => {
    await client.chat({
      model: 't-compat/tool-model',
      stream: false,
      format: 'json',
      options: { num_predict: 32, top_k: 5, stop: ['END'], seed: 7, temperature: 0 },
      messages: [{ role: 'user', content: 'what is this?', images: [PNG] }],
    })
    const sent = tools.requests.at(-1)!.body as Record<string, unknown>
    expect(sent.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
        ],
      },
    ])
    expect(sent).toMatchObject({
      max_tokens: 32,
      top_k: 5,
      stop: ['END'],
      seed: 7,
      temperature: 0,
      response_format: { type: 'json_object' },
    })
    expect(sent).not.toHaveProperty('options')
  })

  it('a suffix (fill-in-the-middle) is refused with the error Ollama gives', async () => {
    const err = await client.generate({ model: 'fast', prompt: 'def f(', suffix: ')', stream: false }).catch((e) => e)
    expect(err.status_code).toBe(400)
    expect(err.error).toMatch(/does not support insert/)
  })

  it('errors are {"error": …} with the status', async () => {
    const res = await fetch(`${gw.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'nope/x', messages: [{ role: 'user', content: 'x' }] }),
      headers: { 'content-type': 'application/json' },
    })
    expect(res.status).toBe(404)
    expect(Object.keys(await res.json())).toEqual(['error'])
  })
})
