import type { ServerResponse } from 'node:http'
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway, waitForEvents } from '../helpers/gateway.js'
import { type RecordedRequest, sendJson, startScriptedUpstream } from '../helpers/upstreams.js'

// Redaction end to end through the real SDKs: what the (recording) upstream receives, what the
// client gets back, and what the log keeps. The upstream echoes the last user message, so a reply
// carries whatever placeholders the request carried; streams are sent one character per chunk so a
// placeholder is always split across chunks.

const EMAIL = 'jane.doe@example.com'
const CARD = '4111 1111 1111 1111'
const PROMPT = `Write to ${EMAIL} about card ${CARD}.`

type Upstream = Awaited<ReturnType<typeof startScriptedUpstream>>
let upstream: Upstream
let gw: TestGateway | undefined

function lastUserText(body: unknown): string {
  const messages = (body as { messages: { role: string; content: unknown }[] }).messages
  const last = messages.filter((m) => m.role === 'user').at(-1)
  const content = last?.content
  if (typeof content === 'string') return content
  return (content as { text?: string }[]).map((p) => p.text ?? '').join('')
}

function chunk(delta: Record<string, unknown>, finish: string | null = null) {
  return `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'echo', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
}

/** Echoes the last user message; with tools, calls the first one with the message as `note`. */
function echo(req: RecordedRequest, res: ServerResponse) {
  const body = req.body as { stream?: boolean; tools?: { function: { name: string } }[] }
  const text = `You said: ${lastUserText(body)}`
  const tool = body.tools?.[0]?.function.name
  const args = JSON.stringify({ note: lastUserText(body) })
  const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }
  if (!body.stream) {
    const message = tool
      ? {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 't1', type: 'function', function: { name: tool, arguments: args } }],
        }
      : { role: 'assistant', content: text }
    return sendJson(res, 200, {
      id: 'r1',
      object: 'chat.completion',
      created: 1,
      model: 'echo',
      choices: [{ index: 0, message, finish_reason: tool ? 'tool_calls' : 'stop' }],
      usage,
    })
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  res.write(chunk({ role: 'assistant', content: '' }))
  if (tool) {
    res.write(
      chunk({ tool_calls: [{ index: 0, id: 't1', type: 'function', function: { name: tool, arguments: '' } }] }),
    )
    for (const ch of args) res.write(chunk({ tool_calls: [{ index: 0, function: { arguments: ch } }] }))
  } else for (const ch of text) res.write(chunk({ content: ch }))
  res.write(chunk({}, tool ? 'tool_calls' : 'stop'))
  res.write(
    `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'echo', choices: [], usage })}\n\n`,
  )
  res.end('data: [DONE]\n\n')
}

beforeAll(async () => {
  upstream = await startScriptedUpstream({
    'POST /v1/chat/completions': echo,
    'POST /v1/embeddings': (_req, res) =>
      sendJson(res, 200, {
        object: 'list',
        data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }],
        model: 'echo',
        usage: { prompt_tokens: 3, total_tokens: 3 },
      }),
  })
})
afterEach(async () => {
  await gw?.close()
  gw = undefined
  upstream.requests.length = 0
})
afterAll(() => upstream.stop())

const config = (redaction: string, extra = '') => `
providers:
  up: { type: openai-compatible, baseUrl: "${upstream.url}/v1", models: [echo] }
redaction: ${redaction}
${extra}`

const openai = () => new OpenAI({ baseURL: `${gw!.url}/v1`, apiKey: 'x', maxRetries: 0 })
const anthropic = () => new Anthropic({ baseURL: gw!.url, apiKey: 'x', maxRetries: 0 })
const chats = () => upstream.requests.filter((r) => r.path === '/v1/chat/completions')
const sentUpstream = () => JSON.stringify(chats().map((r) => r.body))

describe('mask mode', () => {
  it('replaces entities before they leave and logs which were found', async () => {
    gw = await startGateway(config('{ mode: mask }'))
    const res = await openai().chat.completions.create({
      model: 'up/echo',
      messages: [{ role: 'user', content: PROMPT }],
    })
    expect(sentUpstream()).not.toContain(EMAIL)
    expect(sentUpstream()).not.toContain('4111')
    expect(res.choices[0].message.content).toBe('You said: Write to [EMAIL] about card [CREDIT_CARD].')
    const [event] = await waitForEvents(gw, 1)
    expect(event.redactions).toEqual({ email: 1, credit_card: 1 })
    expect(JSON.stringify(event.requestBody)).not.toContain(EMAIL)
  })

  it('leaves a request without entities untouched', async () => {
    gw = await startGateway(config('{ mode: mask }'))
    await openai().chat.completions.create({ model: 'up/echo', messages: [{ role: 'user', content: 'Hello there' }] })
    expect(lastUserText(chats()[0].body)).toBe('Hello there')
    const [event] = await waitForEvents(gw, 1)
    expect(event.redactions).toBeUndefined()
  })

  it('masks texts sent for embedding', async () => {
    gw = await startGateway(config('{ mode: reversible }'))
    await openai().embeddings.create({ model: 'up/echo', input: PROMPT })
    const sent = upstream.requests.find((r) => r.path === '/v1/embeddings')!.body as { input: unknown }
    expect(JSON.stringify(sent.input)).not.toContain(EMAIL)
    const [event] = await waitForEvents(gw, 1)
    expect(event.redactions).toEqual({ email: 1, credit_card: 1 })
  })

  it('applies a custom pattern', async () => {
    gw = await startGateway(
      config('{ mode: mask, detect: [email], custom: [{ name: ticket, pattern: "TCK-\\\\d{6}" }] }'),
    )
    await openai().chat.completions.create({
      model: 'up/echo',
      messages: [{ role: 'user', content: 'About TCK-123456' }],
    })
    expect(lastUserText(chats()[0].body)).not.toContain('TCK-123456')
  })
})

describe('reversible mode', () => {
  it('restores originals in a complete answer; the upstream never sees them', async () => {
    gw = await startGateway(config('{ mode: reversible }'))
    const res = await openai().chat.completions.create({
      model: 'up/echo',
      messages: [{ role: 'user', content: PROMPT }],
    })
    expect(res.choices[0].message.content).toBe(`You said: ${PROMPT}`)
    expect(sentUpstream()).not.toContain(EMAIL)
    expect(sentUpstream()).toContain('[EMAIL_1]')
    const [event] = await waitForEvents(gw, 1)
    // The log keeps what the upstream saw and said, never the originals.
    expect(JSON.stringify([event.requestBody, event.responseBody])).not.toContain(EMAIL)
  })

  it('restores placeholders split one character per chunk (OpenAI stream)', async () => {
    gw = await startGateway(config('{ mode: reversible }'))
    const stream = await openai().chat.completions.create({
      model: 'up/echo',
      stream: true,
      messages: [{ role: 'user', content: PROMPT }],
    })
    let text = ''
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? ''
    expect(text).toBe(`You said: ${PROMPT}`)
    expect(sentUpstream()).not.toContain(EMAIL)
  })

  it('restores placeholders in a translated Anthropic stream', async () => {
    gw = await startGateway(config('{ mode: reversible }'))
    const stream = anthropic().messages.stream({
      model: 'up/echo',
      max_tokens: 100,
      messages: [{ role: 'user', content: PROMPT }],
    })
    const final = await stream.finalMessage()
    expect(final.content[0]).toMatchObject({ type: 'text', text: `You said: ${PROMPT}` })
    expect(sentUpstream()).not.toContain(EMAIL)
  })

  it('restores placeholders in streamed tool-call arguments', async () => {
    gw = await startGateway(config('{ mode: reversible }'))
    const stream = await openai().chat.completions.create({
      model: 'up/echo',
      stream: true,
      tools: [{ type: 'function', function: { name: 'send_mail', parameters: { type: 'object' } } }],
      messages: [{ role: 'user', content: PROMPT }],
    })
    let args = ''
    for await (const c of stream) args += c.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? ''
    expect(JSON.parse(args)).toEqual({ note: PROMPT })
    expect(sentUpstream()).not.toContain(EMAIL)
  })

  it('restores placeholders in complete tool-call arguments for an Anthropic client', async () => {
    gw = await startGateway(config('{ mode: reversible }'))
    const msg = await anthropic().messages.create({
      model: 'up/echo',
      max_tokens: 100,
      tools: [{ name: 'send_mail', input_schema: { type: 'object' } }],
      messages: [{ role: 'user', content: PROMPT }],
    })
    expect(msg.content.find((b) => b.type === 'tool_use')).toMatchObject({ input: { note: PROMPT } })
    expect(sentUpstream()).not.toContain(EMAIL)
  })

  it('redacts per route: a route can turn it off', async () => {
    gw = await startGateway(
      config('{ mode: reversible }', `routes:\n  open: { targets: [{ model: up/echo }], redaction: { mode: "off" } }`),
    )
    await openai().chat.completions.create({ model: 'open', messages: [{ role: 'user', content: PROMPT }] })
    expect(sentUpstream()).toContain(EMAIL)
  })
})
