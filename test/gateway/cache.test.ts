import type { ServerResponse } from 'node:http'
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway, waitForEvents } from '../helpers/gateway.js'
import { type RecordedRequest, sendJson, startScriptedUpstream } from '../helpers/upstreams.js'

// The response cache through the real SDKs: hits, misses and bypasses for complete and streamed
// answers across inbound APIs, semantic hits with deterministic embeddings, and what the log keeps.

type Upstream = Awaited<ReturnType<typeof startScriptedUpstream>>
let upstream: Upstream
let gw: TestGateway | undefined

const chats = () => upstream.requests.filter((r) => r.path === '/v1/chat/completions').length

function lastUserText(body: unknown): string {
  const messages = (body as { messages: { role: string; content: unknown }[] }).messages
  const content = messages.filter((m) => m.role === 'user').at(-1)?.content
  return typeof content === 'string' ? content : (content as { text?: string }[]).map((p) => p.text ?? '').join('')
}

function echo(req: RecordedRequest, res: ServerResponse) {
  const body = req.body as { stream?: boolean }
  if (lastUserText(body) === 'fail') return sendJson(res, 500, { error: { message: 'boom', type: 'server_error' } })
  const text = `Answer #${chats()} to: ${lastUserText(body)}`
  const usage = { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 }
  if (!body.stream) {
    return sendJson(res, 200, {
      id: 'r1',
      object: 'chat.completion',
      created: 1,
      model: 'echo',
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage,
    })
  }
  const frame = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`
  const base = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'echo' }
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  for (const piece of text.match(/.{1,5}/g)!) {
    res.write(frame({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] }))
  }
  res.write(frame({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }))
  res.write(frame({ ...base, choices: [], usage }))
  res.end('data: [DONE]\n\n')
}

// Deterministic embeddings: word counts over a tiny vocabulary, so paraphrases land close together.
const VOCAB = ['capital', 'france', 'paris', 'weather', 'tomorrow', 'rain', 'recipe', 'cake', 'what', 'is']
function embed(req: RecordedRequest, res: ServerResponse) {
  const input = (req.body as { input: string | string[] }).input
  const texts = Array.isArray(input) ? input : [input]
  const data = texts.map((t, index) => {
    const words = t.toLowerCase().match(/[a-z]+/g) ?? []
    return { object: 'embedding', index, embedding: VOCAB.map((v) => words.filter((w) => w.startsWith(v)).length) }
  })
  sendJson(res, 200, { object: 'list', data, model: 'emb', usage: { prompt_tokens: 3, total_tokens: 3 } })
}

beforeAll(async () => {
  upstream = await startScriptedUpstream({ 'POST /v1/chat/completions': echo, 'POST /v1/embeddings': embed })
})
afterEach(async () => {
  await gw?.close()
  gw = undefined
  upstream.requests.length = 0
})
afterAll(() => upstream.stop())

const config = (cache: string, extra = '') => `
providers:
  up: { type: openai-compatible, baseUrl: "${upstream.url}/v1", models: [echo, emb] }
pricing:
  up/echo: { input: 1, output: 2 }
cache: ${cache}
${extra}`

const openai = (headers: Record<string, string> = {}) =>
  new OpenAI({ baseURL: `${gw!.url}/v1`, apiKey: 'x', maxRetries: 0, defaultHeaders: headers })
const anthropic = () => new Anthropic({ baseURL: gw!.url, apiKey: 'x', maxRetries: 0 })
const question = (content: string) => ({
  model: 'up/echo',
  max_tokens: 50,
  messages: [{ role: 'user' as const, content }],
})

describe('exact cache', () => {
  it('answers a repeated request from the cache, says so, and logs the hit', async () => {
    gw = await startGateway(config('{ mode: exact, ttlSeconds: 60 }'))
    const first = await openai().chat.completions.create(question('Hi')).withResponse()
    const second = await openai().chat.completions.create(question('Hi')).withResponse()
    expect(first.response.headers.get('x-switchyard-cache')).toBe('miss')
    expect(second.response.headers.get('x-switchyard-cache')).toBe('hit')
    expect(second.data.choices[0].message.content).toBe(first.data.choices[0].message.content)
    expect(chats()).toBe(1)
    const events = await waitForEvents(gw, 2)
    expect(events[1]).toMatchObject({
      isCacheHit: true,
      status: 200,
      provider: 'up',
      model: 'echo',
      inputTokens: 12,
      outputTokens: 7,
    })
    expect(events[0].isCacheHit).toBeFalsy()
  })

  it('caches a streamed answer and replays it as a stream, and as JSON, in either API', async () => {
    gw = await startGateway(config('{ mode: exact }'))
    const stream = await openai().chat.completions.create({ ...question('Tell me'), stream: true })
    let streamed = ''
    for await (const c of stream) streamed += c.choices[0]?.delta?.content ?? ''
    expect(streamed).toBe('Answer #1 to: Tell me')

    const again = await openai()
      .chat.completions.create({ ...question('Tell me'), stream: true })
      .withResponse()
    expect(again.response.headers.get('x-switchyard-cache')).toBe('hit')
    let replayed = ''
    for await (const c of again.data) replayed += c.choices[0]?.delta?.content ?? ''
    expect(replayed).toBe(streamed)

    const json = await openai().chat.completions.create(question('Tell me'))
    expect(json.choices[0].message.content).toBe(streamed)

    const msg = await anthropic().messages.stream(question('Tell me')).finalMessage()
    expect(msg.content[0]).toMatchObject({ type: 'text', text: streamed })
    expect(chats()).toBe(1)
  })

  it('replays a cached answer to the Responses and Ollama APIs, streamed and not', async () => {
    gw = await startGateway(config('{ mode: exact }'))
    const post = (path: string, body: unknown) =>
      fetch(`${gw!.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const first = await post('/v1/responses', { model: 'up/echo', input: 'Same words', max_output_tokens: 50 })
    expect(first.headers.get('x-switchyard-cache')).toBe('miss')
    const again = await post('/v1/responses', { model: 'up/echo', input: 'Same words', max_output_tokens: 50 })
    expect(again.headers.get('x-switchyard-cache')).toBe('hit')
    expect(JSON.stringify(await again.json())).toContain('Answer #1 to: Same words')
    const streamed = await post('/v1/responses', {
      model: 'up/echo',
      input: 'Same words',
      max_output_tokens: 50,
      stream: true,
    })
    expect(streamed.headers.get('x-switchyard-cache')).toBe('hit')
    const events = await streamed.text()
    expect(events).toContain('response.completed')
    expect(events).toContain('Answer #1')
    const ollama = await post('/api/chat', {
      model: 'up/echo',
      messages: [{ role: 'user', content: 'Ollama asks' }],
      stream: false,
    })
    expect(ollama.headers.get('x-switchyard-cache')).toBe('miss')
    const ollamaAgain = await post('/api/chat', {
      model: 'up/echo',
      messages: [{ role: 'user', content: 'Ollama asks' }],
    })
    expect(ollamaAgain.headers.get('x-switchyard-cache')).toBe('hit')
    const lines = (await ollamaAgain.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.map((l) => l.message?.content ?? '').join('')).toBe('Answer #2 to: Ollama asks')
    expect(lines.at(-1)).toMatchObject({ done: true })
    expect(chats()).toBe(2)
  })

  it('keys on parameters and tools, not on the stream flag', async () => {
    gw = await startGateway(config('{ mode: exact }'))
    await openai().chat.completions.create(question('Same'))
    await openai().chat.completions.create({ ...question('Same'), temperature: 0.1 })
    await openai().chat.completions.create({
      ...question('Same'),
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
    })
    expect(chats()).toBe(3)
  })

  it('skips the cache for Cache-Control: no-cache and x-switchyard-cache: bypass', async () => {
    gw = await startGateway(config('{ mode: exact }'))
    await openai().chat.completions.create(question('Fresh'))
    const noCache = await openai({ 'cache-control': 'no-cache' })
      .chat.completions.create(question('Fresh'))
      .withResponse()
    const bypass = await openai({ 'x-switchyard-cache': 'bypass' })
      .chat.completions.create(question('Fresh'))
      .withResponse()
    expect(chats()).toBe(3)
    expect(noCache.response.headers.get('x-switchyard-cache')).toBe('bypass')
    expect(bypass.data.choices[0].message.content).toBe('Answer #3 to: Fresh')
    const hit = await openai().chat.completions.create(question('Fresh')).withResponse()
    expect(hit.response.headers.get('x-switchyard-cache')).toBe('hit')
  })

  it('does nothing when off, and per route can differ', async () => {
    gw = await startGateway(
      config('{ mode: "off" }', 'routes:\n  cached: { targets: [{ model: up/echo }], cache: { mode: exact } }'),
    )
    const off = await openai().chat.completions.create(question('x')).withResponse()
    await openai().chat.completions.create(question('x'))
    expect(off.response.headers.get('x-switchyard-cache')).toBeNull()
    expect(chats()).toBe(2)
    await openai().chat.completions.create({ ...question('y'), model: 'cached' })
    const hit = await openai()
      .chat.completions.create({ ...question('y'), model: 'cached' })
      .withResponse()
    expect(hit.response.headers.get('x-switchyard-cache')).toBe('hit')
    expect(chats()).toBe(3)
  })

  it('does not cache errors', async () => {
    gw = await startGateway(config('{ mode: exact }'))
    await expect(openai().chat.completions.create(question('fail'))).rejects.toThrow(/boom/)
    const once = chats()
    await expect(openai().chat.completions.create(question('fail'))).rejects.toThrow(/boom/)
    expect(chats()).toBe(2 * once)
  })
})

describe('semantic cache', () => {
  const semantic = '{ mode: semantic, semantic: { embeddingModel: up/emb, threshold: 0.9 } }'

  it('serves a paraphrase from the cache and misses a different question', async () => {
    gw = await startGateway(config(semantic))
    const first = await openai().chat.completions.create(question('What is the capital of France?'))
    const para = await openai().chat.completions.create(question('what is the capital of france')).withResponse()
    expect(para.response.headers.get('x-switchyard-cache')).toBe('hit')
    expect(para.data.choices[0].message.content).toBe(first.choices[0].message.content)
    const other = await openai().chat.completions.create(question('Will it rain tomorrow?')).withResponse()
    expect(other.response.headers.get('x-switchyard-cache')).toBe('miss')
    expect(chats()).toBe(2)
  })

  it('only matches within the same model and conversation', async () => {
    gw = await startGateway(config(semantic))
    await openai().chat.completions.create(question('What is the capital of France?'))
    const withSystem = await openai()
      .chat.completions.create({
        ...question('what is the capital of france'),
        messages: [
          { role: 'system', content: 'Answer in French.' },
          { role: 'user', content: 'what is the capital of france' },
        ],
      })
      .withResponse()
    expect(withSystem.response.headers.get('x-switchyard-cache')).toBe('miss')
  })
})

describe('cache with redaction', () => {
  it('stores the redacted answer and restores each caller’s own values on a hit', async () => {
    gw = await startGateway(config('{ mode: exact }', 'redaction: { mode: reversible, detect: [email] }'))
    const a = await openai().chat.completions.create(question('Mail ann@example.com'))
    const b = await openai().chat.completions.create(question('Mail bob@example.org')).withResponse()
    expect(a.choices[0].message.content).toBe('Answer #1 to: Mail ann@example.com')
    expect(b.response.headers.get('x-switchyard-cache')).toBe('hit')
    expect(b.data.choices[0].message.content).toBe('Answer #1 to: Mail bob@example.org')
    expect(chats()).toBe(1)
  })
})
