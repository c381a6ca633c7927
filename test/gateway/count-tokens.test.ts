import Anthropic from '@anthropic-ai/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { type RecordedRequest, sendJson, startScriptedUpstream } from '../helpers/upstreams.js'

// Issue 19: many Anthropic-compatible upstreams serve /v1/messages but not /v1/messages/count_tokens. Claude
// Code asks for counts anyway; the gateway answers them with its own estimate instead of the upstream's 404.

type Scripted = Awaited<ReturnType<typeof startScriptedUpstream>>
let up: Scripted
let gw: TestGateway
let anthropic: Anthropic

const MESSAGE = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'm',
  content: [{ type: 'text', text: 'ok' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 3, output_tokens: 1 },
}

/** Each model answers count_tokens the way one kind of upstream does; `missing` has no such route at all. */
const COUNT_ANSWERS: Record<string, [number, unknown]> = {
  'not-allowed': [405, { error: { type: 'invalid_request_error', message: 'Method Not Allowed' } }],
  unimplemented: [501, { error: { type: 'api_error', message: 'Not Implemented' } }],
  'bad-request': [400, { error: { type: 'invalid_request_error', message: 'messages: field required' } }],
}

beforeAll(async () => {
  up = await startScriptedUpstream({
    'POST /v1/messages': (_req, res) => sendJson(res, 200, MESSAGE),
    'POST /v1/messages/count_tokens': (req, res) => {
      const answer = COUNT_ANSWERS[(req.body as { model: string }).model]
      if (answer) return sendJson(res, ...answer)
      sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: 'Not Found' } })
    },
  })
  gw = await startGateway(`
providers:
  local: { type: anthropic, apiKey: sk-ant-x, baseUrl: "${up.url}" }
`)
  anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'sk-unused', maxRetries: 0 })
})

afterAll(async () => {
  await gw?.close()
  await up?.stop()
})

const countsAsked = (model: string) =>
  up.requests.filter(
    (r: RecordedRequest) => r.path === '/v1/messages/count_tokens' && (r.body as { model: string }).model === model,
  ).length

describe('count_tokens against an Anthropic-compatible upstream without the endpoint', () => {
  it.each([
    ['404', 'missing'],
    ['405', 'not-allowed'],
    ['501', 'unimplemented'],
  ])('an upstream %s becomes the gateway estimate, marked as one', async (_status, model) => {
    const { data, response } = await anthropic.messages
      .countTokens({
        model: `local/${model}`,
        messages: [{ role: 'user', content: 'hello there, how are you today?' }],
      })
      .withResponse()
    expect(response.status).toBe(200)
    expect(response.headers.get('x-switchyard-token-count')).toBe('estimated')
    expect(data.input_tokens).toBeGreaterThan(5)
    expect(data.input_tokens).toBeLessThan(30)
    // Asked once: a missing endpoint is not an outage to retry.
    expect(countsAsked(model)).toBe(1)
  })

  it('a missing endpoint does not count against the model: its chat calls still go through', async () => {
    for (let i = 0; i < 6; i++) {
      await anthropic.messages.countTokens({ model: 'local/unimplemented', messages: [{ role: 'user', content: 'x' }] })
    }
    const msg = await anthropic.messages.create({
      model: 'local/unimplemented',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(msg.content).toEqual([expect.objectContaining({ type: 'text', text: 'ok' })])
  })

  it('a request the upstream refuses as malformed is still the caller’s error', async () => {
    const err = await anthropic.messages
      .countTokens({ model: 'local/bad-request', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Anthropic.BadRequestError)
    expect((err as InstanceType<typeof Anthropic.BadRequestError>).message).toContain('messages: field required')
  })
})
