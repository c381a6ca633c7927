// Context windows known and honoured (issue 19): windows from the servers that state them (Ollama's
// /api/show, llama.cpp's /props, LM Studio's /api/v0/models) or from config; Ollama calls carry a num_ctx
// sized to the request; a prompt no target takes gets the caller's own "too long" error; /v1/models and
// /api/show report the windows.

import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { CHAT_COMPLETION, type RecordedRequest, sendJson, startScriptedUpstream } from '../helpers/upstreams.js'

type Upstream = Awaited<ReturnType<typeof startScriptedUpstream>>

/** What the mock Ollama's /api/show says of each model (anything else: 404, as for a model not pulled). */
const SHOW: Record<string, unknown> = {
  llama3: {
    parameters: 'stop "<|eot_id|>"',
    model_info: { 'general.architecture': 'llama', 'llama.context_length': 2000 },
  },
  custom: {
    parameters: 'num_ctx                        16384\nstop "<|eot_id|>"',
    model_info: { 'general.architecture': 'qwen3', 'qwen3.context_length': 40960 },
  },
  big: { parameters: '', model_info: { 'general.architecture': 'llama', 'llama.context_length': 131072 } },
}

const OLLAMA_ANSWER = {
  model: 'm',
  created_at: '2026-01-01T00:00:00Z',
  message: { role: 'assistant', content: 'ok' },
  done: true,
  done_reason: 'stop',
  prompt_eval_count: 3,
  eval_count: 1,
}

let up: Upstream
let gw: TestGateway
let anthropic: Anthropic
let openai: OpenAI

beforeAll(async () => {
  up = await startScriptedUpstream({
    'POST /api/show': (req, res) => {
      const model = (req.body as { model: string }).model
      if (SHOW[model]) sendJson(res, 200, SHOW[model])
      else sendJson(res, 404, { error: `model '${model}' not found` })
    },
    'POST /api/chat': (_req, res) => sendJson(res, 200, OLLAMA_ANSWER),
    'GET /api/tags': (_req, res) =>
      sendJson(res, 200, { models: [{ name: 'big', modified_at: '2026-01-01T00:00:00Z' }] }),
    'GET /props': (_req, res) => sendJson(res, 200, { default_generation_settings: { n_ctx: 512 }, total_slots: 1 }),
    'GET /api/v0/models/lm-model': (_req, res) =>
      sendJson(res, 200, { id: 'lm-model', state: 'loaded', max_context_length: 32768, loaded_context_length: 256 }),
    'POST /v1/chat/completions': (req, res) => {
      // A server that knows its own window only when a prompt overruns it, and says so in OpenAI's words.
      if ((req.body as { model: string }).model !== 'strict') return sendJson(res, 200, CHAT_COMPLETION)
      sendJson(res, 400, {
        error: {
          message:
            "This model's maximum context length is 4096 tokens. However, your messages resulted in 5210 tokens. Please reduce the length of the messages.",
          type: 'invalid_request_error',
          param: 'messages',
          code: 'context_length_exceeded',
        },
      })
    },
    'GET /v1/models': (_req, res) => sendJson(res, 200, { object: 'list', data: [{ id: 'tiny' }, { id: 'lm-model' }] }),
  })
  gw = await startGateway(`
providers:
  ol: { type: ollama, baseUrl: "${up.url}" }
  olcap: { type: ollama, baseUrl: "${up.url}", numCtx: { max: 8192 } }
  oc: { type: openai-compatible, baseUrl: "${up.url}/v1" }
  lc: { type: llamacpp, baseUrl: "${up.url}/v1" }
  oa: { type: openai, baseUrl: "${up.url}/v1", apiKey: sk-test }
routes:
  small:
    targets: [ { model: oc/tiny, contextWindow: 100 } ]
  small-or-long:
    longContext: { thresholdTokens: 50, model: oc/roomy }
    targets: [ { model: oc/tiny, contextWindow: 100 } ]
`)
  anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'any', maxRetries: 0 })
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'any', maxRetries: 0 })
})

afterAll(async () => {
  await gw?.close()
  await up?.stop()
})

beforeEach(() => {
  up.requests.length = 0
})

/** About `n` tokens of text (one per word in every common tokenizer), 6 characters each. */
const words = (n: number) => 'hello '.repeat(n)

const requestsTo = (path: string) => up.requests.filter((r) => r.path === path)
const numCtxOf = (r: RecordedRequest) => (r.body as { options?: { num_ctx?: number } }).options?.num_ctx

async function anthropicError(model: string, text: string, maxTokens = 100) {
  const err = await anthropic.messages
    .create({ model, max_tokens: maxTokens, messages: [{ role: 'user', content: text }] })
    .then(
      () => undefined,
      (e: unknown) => e,
    )
  expect(err).toBeInstanceOf(Anthropic.APIError)
  return err as InstanceType<typeof Anthropic.APIError>
}

describe('a prompt larger than its only target gets the caller\'s "too long" error', () => {
  it('Anthropic callers: 400 invalid_request_error "prompt is too long: N tokens > M maximum"', async () => {
    const err = await anthropicError('small', words(300))
    expect(err.status).toBe(400)
    const body = err.error as { type: string; error: { type: string; message: string } }
    expect(body.error.type).toBe('invalid_request_error')
    expect(body.error.message).toMatch(/^prompt is too long: \d+ tokens > 100 maximum$/)
    // Streamed (as Claude Code asks) it is the same 400, before any event.
    const streamed = await anthropic.messages
      .create({ model: 'small', max_tokens: 100, stream: true, messages: [{ role: 'user', content: words(300) }] })
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(streamed).toBeInstanceOf(Anthropic.BadRequestError)
    expect((streamed as InstanceType<typeof Anthropic.APIError>).message).toMatch(/prompt is too long/)
    expect(requestsTo('/v1/chat/completions')).toHaveLength(0)
  })

  it("OpenAI callers: context_length_exceeded in OpenAI's wording", async () => {
    const err = await openai.chat.completions
      .create({ model: 'small', messages: [{ role: 'user', content: words(300) }] })
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    const e = err as InstanceType<typeof OpenAI.BadRequestError>
    expect(e.code).toBe('context_length_exceeded')
    expect(e.type).toBe('invalid_request_error')
    expect(e.param).toBe('messages')
    expect(e.message).toMatch(/maximum context length is 100 tokens\. However, your messages resulted in \d+ tokens/)
  })

  it('Responses callers: context_length_exceeded on `input`', async () => {
    const err = await openai.responses.create({ model: 'small', input: words(300) }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    const e = err as InstanceType<typeof OpenAI.BadRequestError>
    expect(e.code).toBe('context_length_exceeded')
    expect(e.param).toBe('input')
    expect(e.message).toMatch(/exceeds the context window/)
  })

  it("is not decided by the price table's usual window: the upstream may grant more, and answers for itself", async () => {
    // The table gives gpt-4o 128000 tokens; Anthropic's 1M beta, say, runs models past what the table says.
    const answer = await openai.chat.completions.create({
      model: 'oa/gpt-4o',
      messages: [{ role: 'user', content: words(130_000) }],
    })
    expect(answer.choices[0].message.content).toBe('ok')
  })

  it("an upstream's own too-long answer reaches an Anthropic caller in Anthropic's words", async () => {
    // Claude Code compacts only on "prompt is too long"; the OpenAI-compatible server said it its own way.
    const err = await anthropicError('oc/strict', 'hello')
    expect(err.status).toBe(400)
    const body = err.error as { error: { type: string; message: string } }
    expect(body.error).toEqual({
      type: 'invalid_request_error',
      message: 'prompt is too long: 5210 tokens > 4096 maximum',
    })
    const openaiErr = await openai.chat.completions
      .create({ model: 'oc/strict', messages: [{ role: 'user', content: 'hello' }] })
      .then(
        () => undefined,
        (e: unknown) => e as InstanceType<typeof OpenAI.BadRequestError>,
      )
    expect(openaiErr?.code).toBe('context_length_exceeded')
    expect(openaiErr?.message).toMatch(
      /maximum context length is 4096 tokens\. However, your messages resulted in 5210/,
    )
  })

  it('a prompt that fits is sent, and a long-context target takes one that does not', async () => {
    await anthropic.messages.create({ model: 'small', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
    await anthropic.messages.create({
      model: 'small-or-long',
      max_tokens: 10,
      messages: [{ role: 'user', content: words(300) }],
    })
    const models = requestsTo('/v1/chat/completions').map((r) => (r.body as { model: string }).model)
    expect(models).toEqual(['tiny', 'roomy'])
  })
})

describe('windows the servers state', () => {
  it("Ollama's /api/show: <arch>.context_length, asked once per model", async () => {
    const err = await anthropicError('ol/llama3', words(2500))
    expect((err.error as { error: { message: string } }).error.message).toMatch(/> 2000 maximum$/)
    await anthropicError('ol/llama3', words(2500))
    expect(requestsTo('/api/show')).toHaveLength(1)
    expect(requestsTo('/api/chat')).toHaveLength(0)
  })

  it("a Modelfile's num_ctx is the window", async () => {
    const err = await anthropicError('ol/custom', words(17000))
    expect((err.error as { error: { message: string } }).error.message).toMatch(/> 16384 maximum$/)
  })

  it("llama.cpp's /props and LM Studio's loaded context", async () => {
    const llama = await anthropicError('lc/any', words(600))
    expect((llama.error as { error: { message: string } }).error.message).toMatch(/> 512 maximum$/)
    const lmStudio = await anthropicError('oc/lm-model', words(300))
    expect((lmStudio.error as { error: { message: string } }).error.message).toMatch(/> 256 maximum$/)
  })

  it('a server that cannot say is not fatal', async () => {
    const answer = await anthropic.messages.create({
      model: 'ol/not-shown',
      max_tokens: 10,
      messages: [{ role: 'user', content: words(300) }],
    })
    expect(answer.content[0]).toMatchObject({ type: 'text', text: 'ok' })
  })
})

describe("Ollama's num_ctx", () => {
  it('is sized to a long prompt and its answer, in powers of two', async () => {
    // 3000 words are 18000 characters, well inside the 131072 window: not tokenized, counted as 6000
    // tokens (3 characters a token), plus 1000 for the answer: 8192.
    await anthropic.messages.create({
      model: 'ol/big',
      max_tokens: 1000,
      messages: [{ role: 'user', content: words(3000) }],
    })
    expect(numCtxOf(requestsTo('/api/chat')[0])).toBe(8192)
  })

  it("is left to the server's default for a short prompt", async () => {
    await anthropic.messages.create({ model: 'ol/big', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] })
    expect(numCtxOf(requestsTo('/api/chat')[0])).toBeUndefined()
  })

  it("is capped by the provider's numCtx.max, and a prompt over it is too long", async () => {
    await anthropic.messages.create({
      model: 'olcap/big',
      max_tokens: 2000,
      messages: [{ role: 'user', content: words(7000) }],
    })
    expect(numCtxOf(requestsTo('/api/chat')[0])).toBe(8192)
    const err = await anthropicError('olcap/big', words(9000))
    expect((err.error as { error: { message: string } }).error.message).toMatch(/> 8192 maximum$/)
  })

  it("an Ollama client's own options.num_ctx wins", async () => {
    const res = await fetch(`${gw.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'ol/big',
        stream: false,
        options: { num_ctx: 12288 },
        messages: [{ role: 'user', content: words(3000) }],
      }),
    })
    expect(res.status).toBe(200)
    expect(numCtxOf(requestsTo('/api/chat')[0])).toBe(12288)
  })
})

describe('listings report the window', () => {
  it('/v1/models: context_window for routes and for models whose server stated it', async () => {
    const one = await fetch(`${gw.url}/v1/models/ol/big`).then((r) => r.json())
    expect(one.context_window).toBe(131072)
    const list = (await fetch(`${gw.url}/v1/models`).then((r) => r.json())) as {
      data: { id: string; context_window?: number }[]
    }
    const byId = new Map(list.data.map((m) => [m.id, m.context_window]))
    expect(byId.get('small')).toBe(100)
    expect(byId.get('ol/big')).toBe(131072)
  })

  it("Ollama's /api/show: model_info <arch>.context_length and num_ctx", async () => {
    const shown = await fetch(`${gw.url}/api/show`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'ol/llama3' }),
    }).then((r) => r.json())
    expect(shown.model_info['llama.context_length']).toBe(2000)
    expect(shown.parameters).toMatch(/num_ctx\s+2000/)
  })
})
