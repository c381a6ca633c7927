// The azure-openai provider type through the public surface: the real OpenAI and Anthropic SDKs call the
// gateway, which calls a mock Azure resource that answers only at deployment URLs with an api-version and
// the `api-key` header, as Azure does.

import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../helpers/gateway.js'

const KEY = 'azure-key-123'
const PROMPT_FILTER = [{ prompt_index: 0, content_filter_results: { hate: { filtered: false, severity: 'safe' } } }]

interface Seen {
  path: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  body: Record<string, unknown>
}

let azure: Server
let azureUrl: string
const seen: Seen[] = []
let gw: TestGateway
let openai: OpenAI

const chunk = (delta: unknown, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'az1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-2024-08-06', choices: [{ index: 0, delta, finish_reason: finish, content_filter_results: {} }] })}\n\n`

function reply(res: import('node:http').ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

beforeAll(async () => {
  azure = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const url = new URL(req.url ?? '/', 'http://azure')
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {}
    seen.push({ path: url.pathname, query: url.searchParams, headers: req.headers, body })
    if (req.headers['api-key'] !== KEY) {
      return reply(res, 401, { error: { code: '401', message: 'Access denied due to invalid subscription key.' } })
    }
    if (url.searchParams.get('api-version') !== '2024-10-21') {
      return reply(res, 404, { error: { code: '404', message: 'Resource not found' } })
    }
    const [, deployment, operation] =
      /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/.exec(url.pathname) ?? []
    if (deployment !== 'gpt4o-prod') {
      return reply(res, 404, {
        error: { code: 'DeploymentNotFound', message: 'The API deployment for this resource does not exist.' },
      })
    }
    const messages = (body.messages ?? []) as { content: unknown }[]
    if (JSON.stringify(messages).includes('forbidden words')) {
      return reply(res, 400, {
        error: {
          message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
          type: null,
          param: 'prompt',
          code: 'content_filter',
          status: 400,
          innererror: {
            code: 'ResponsibleAIPolicyViolation',
            content_filter_result: {
              hate: { filtered: true, severity: 'high' },
              violence: { filtered: false, severity: 'safe' },
            },
          },
        },
      })
    }
    if (operation === 'embeddings') {
      const vector = [0.25, -0.5]
      // The OpenAI SDK asks for base64 (little-endian float32s) unless told otherwise.
      const embedding =
        body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector
      return reply(res, 200, {
        object: 'list',
        data: [{ object: 'embedding', index: 0, embedding }],
        model: 'text-embedding-3-small',
        usage: { prompt_tokens: 2, total_tokens: 2 },
      })
    }
    if (body.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      // Azure's first frame carries only the prompt's filter results, with no choices.
      res.write(
        `data: ${JSON.stringify({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: PROMPT_FILTER })}\n\n`,
      )
      res.write(chunk({ role: 'assistant', content: 'Bon' }))
      res.write(chunk({ content: 'jour' }))
      res.write(chunk({}, 'stop'))
      res.write(
        `data: ${JSON.stringify({ id: 'az1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-2024-08-06', choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } })}\n\n`,
      )
      res.end('data: [DONE]\n\n')
      return
    }
    reply(res, 200, {
      id: 'az2',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o-2024-08-06',
      prompt_filter_results: PROMPT_FILTER,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Bonjour' },
          finish_reason: 'stop',
          content_filter_results: {},
        },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
    })
  })
  await new Promise<void>((resolve) => azure.listen(0, '127.0.0.1', resolve))
  azureUrl = `http://127.0.0.1:${(azure.address() as AddressInfo).port}`
  gw = await startGateway(
    `
providers:
  azure:
    type: azure-openai
    baseUrl: "${azureUrl}"
    apiKey: \${env:AZURE_OPENAI_API_KEY}
    deployments: { gpt-4o: gpt4o-prod, text-embedding-3-small: gpt4o-prod }
routes:
  smart: { targets: [ { model: azure/gpt-4o } ] }
`,
    { AZURE_OPENAI_API_KEY: KEY },
  )
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'any', maxRetries: 0 })
})

afterAll(async () => {
  await gw?.close()
  azure?.closeAllConnections()
  await new Promise((resolve) => azure?.close(resolve))
})

const last = () => seen[seen.length - 1]

describe('azure-openai provider', () => {
  it('calls the deployment URL with the api-version and the api-key header (never Authorization)', async () => {
    const res = await openai.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: 'Hi' }] })
    expect(res.choices[0].message.content).toBe('Bonjour')
    expect(last().path).toBe('/openai/deployments/gpt4o-prod/chat/completions')
    expect(last().query.get('api-version')).toBe('2024-10-21')
    expect(last().headers['api-key']).toBe(KEY)
    expect(last().headers.authorization).toBeUndefined()
  })

  it("prices Azure's OpenAI models from the bundled table", async () => {
    const res = await gw.admin('/admin/v1/pricing?model=azure/gpt-4o')
    expect(res.status).toBe(200)
    const pricing = await res.json()
    expect(pricing).toMatchObject({ provider: 'azure', source: 'genai-prices' })
    expect(pricing.inputPerMtokUsd).toBeGreaterThan(0)
  })

  it('streams, skipping the frame that carries only prompt filter results', async () => {
    const stream = await openai.chat.completions.create({
      model: 'azure/gpt-4o',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    })
    let text = ''
    const ids: string[] = []
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? ''
      ids.push(c.id)
    }
    expect(text).toBe('Bonjour')
    expect(ids.every((id) => id === 'az1')).toBe(true)
    expect(last().body.stream).toBe(true)
    expect(last().path).toBe('/openai/deployments/gpt4o-prod/chat/completions')
  })

  it('embeds through the deployment of the embedding model', async () => {
    const res = await openai.embeddings.create({ model: 'azure/text-embedding-3-small', input: 'hello' })
    expect(res.data[0].embedding).toEqual([0.25, -0.5])
    expect(last().path).toBe('/openai/deployments/gpt4o-prod/embeddings')
    expect(last().query.get('api-version')).toBe('2024-10-21')
  })

  it('answers an Anthropic client from Azure (translation)', async () => {
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'any', maxRetries: 0 })
    const msg = await anthropic.messages.create({
      model: 'smart',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
    })
    expect(msg.content).toEqual([{ type: 'text', text: 'Bonjour' }])
    expect(last().headers['api-key']).toBe(KEY)
    expect(last().path).toBe('/openai/deployments/gpt4o-prod/chat/completions')
    expect(last().body.messages).toEqual([{ role: 'user', content: 'Hi' }])
  })

  it('streams to an Anthropic client, starting with the answer and not the prompt filter frame', async () => {
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'any', maxRetries: 0 })
    const stream = anthropic.messages.stream({
      model: 'smart',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
    })
    const events: string[] = []
    stream.on('streamEvent', (e) => events.push(e.type))
    const msg = await stream.finalMessage()
    expect(msg.content).toEqual([{ type: 'text', text: 'Bonjour' }])
    expect(msg.id).not.toBe('')
    expect(events[0]).toBe('message_start')
  })

  it("says when Azure's content filter blocked the prompt, and which category", async () => {
    const err = await openai.chat.completions
      .create({ model: 'smart', messages: [{ role: 'user', content: 'forbidden words' }] })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    const apiErr = err as InstanceType<typeof OpenAI.BadRequestError>
    expect(apiErr.status).toBe(400)
    expect(apiErr.message).toContain("Azure OpenAI's content filter blocked this request (hate: high)")
    expect(apiErr.code).toBe('content_filter')
  })
})
