import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { sendJson, sendSse, startScriptedUpstream } from '../helpers/upstreams.js'

// One rule for the `model` field of every answer, whatever dialect the client speaks: the model that
// actually answered, as its upstream names it (a dated snapshot, not the alias or route the client asked for).

type Scripted = Awaited<ReturnType<typeof startScriptedUpstream>>
let compat: Scripted
let claude: Scripted
let gw: TestGateway
let openai: OpenAI
let anthropic: Anthropic

const COMPAT_ANSWERED = 'gpt-x-2026-01-01'
const CLAUDE_ANSWERED = 'claude-y-20260101'

const oaChunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: COMPAT_ANSWERED, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`

beforeAll(async () => {
  compat = await startScriptedUpstream({
    'POST /v1/chat/completions': (req, res) => {
      if ((req.body as { stream?: boolean }).stream) {
        return sendSse(res, [oaChunk({ role: 'assistant', content: 'hi' }), oaChunk({}, 'stop'), 'data: [DONE]\n\n'])
      }
      sendJson(res, 200, {
        id: 'c1',
        object: 'chat.completion',
        created: 1,
        model: COMPAT_ANSWERED,
        choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
      })
    },
  })
  claude = await startScriptedUpstream({
    'POST /v1/messages': (_req, res) =>
      sendJson(res, 200, {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: CLAUDE_ANSWERED,
        content: [{ type: 'text', text: 'hi' }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 3, output_tokens: 1 },
      }),
  })
  gw = await startGateway(`
providers:
  compat: { type: openai-compatible, baseUrl: "${compat.url}/v1", apiKey: sk-compat }
  claude: { type: anthropic, baseUrl: "${claude.url}", apiKey: sk-ant }
routes:
  fast: { targets: [ { model: compat/gpt-x } ] }
  smart: { targets: [ { model: claude/claude-y } ] }
`)
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'any', maxRetries: 0 })
  anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'any', maxRetries: 0 })
})

afterAll(async () => {
  await gw?.close()
  await Promise.all([compat?.stop(), claude?.stop()])
})

const messages = [{ role: 'user' as const, content: 'hello' }]

describe('the response model field names the model that answered', () => {
  it('OpenAI client, OpenAI-compatible upstream, through a route', async () => {
    const res = await openai.chat.completions.create({ model: 'fast', messages })
    expect(res.model).toBe(COMPAT_ANSWERED)
    const stream = await openai.chat.completions.create({ model: 'fast', messages, stream: true })
    const models = new Set<string>()
    for await (const c of stream) models.add(c.model)
    expect([...models]).toEqual([COMPAT_ANSWERED])
  })

  it('OpenAI client, Anthropic upstream', async () => {
    const res = await openai.chat.completions.create({ model: 'smart', messages })
    expect(res.model).toBe(CLAUDE_ANSWERED)
  })

  it('Anthropic client, OpenAI-compatible upstream (translated), plain and streamed', async () => {
    const res = await anthropic.messages.create({ model: 'fast', max_tokens: 10, messages })
    expect(res.model).toBe(COMPAT_ANSWERED)
    const stream = anthropic.messages.stream({ model: 'compat/gpt-x', max_tokens: 10, messages })
    const final = await stream.finalMessage()
    expect(final.model).toBe(COMPAT_ANSWERED)
  })

  it('Anthropic client, Anthropic upstream', async () => {
    const res = await anthropic.messages.create({ model: 'smart', max_tokens: 10, messages })
    expect(res.model).toBe(CLAUDE_ANSWERED)
  })

  it('Ollama client, OpenAI-compatible upstream, plain and streamed', async () => {
    const ask = (stream: boolean) =>
      fetch(`${gw.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'fast', messages, stream }),
      })
    const plain = (await (await ask(false)).json()) as { model: string }
    expect(plain.model).toBe(COMPAT_ANSWERED)
    const lines = (await (await ask(true)).text()).trim().split('\n')
    expect(new Set(lines.map((l) => (JSON.parse(l) as { model: string }).model))).toEqual(new Set([COMPAT_ANSWERED]))
  })
})
