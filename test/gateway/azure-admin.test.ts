// Azure OpenAI's own settings (`deployments`, `apiVersion`) through the admin API, as the Providers page saves
// them: created, changed by PUT (the rest kept), shown back, used by the next call, and refused on other types.

import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../helpers/gateway.js'

const KEY = 'azure-admin-key'
let azure: Server
let azureUrl: string
const seen: { path: string; model: unknown }[] = []
let gw: TestGateway

beforeAll(async () => {
  // Answers only with the api-key header, at the deployment URL of `gpt4o-prod` or the v1 API.
  azure = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {}
    seen.push({ path: req.url ?? '', model: body.model })
    const ok =
      req.headers['api-key'] === KEY &&
      (req.url === '/openai/deployments/gpt4o-prod/chat/completions?api-version=2025-01-01-preview' ||
        (req.url === '/openai/v1/chat/completions' && body.model === 'gpt4o-prod'))
    res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify(
        ok
          ? {
              id: 'c1',
              object: 'chat.completion',
              created: 1,
              model: 'gpt-4o',
              choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
              usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
            }
          : { error: { code: 'DeploymentNotFound', message: 'no such deployment' } },
      ),
    )
  })
  await new Promise<void>((resolve) => azure.listen(0, '127.0.0.1', resolve))
  azureUrl = `http://127.0.0.1:${(azure.address() as AddressInfo).port}`
  gw = await startGateway('providers: {}\n')
})

afterAll(async () => {
  await gw?.close()
  azure?.closeAllConnections()
  await new Promise((resolve) => azure?.close(resolve))
})

const send = (method: string, path: string, body: unknown) =>
  gw.admin(path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

const chat = () =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...gw.adminHeaders },
    body: JSON.stringify({ model: 'az/gpt-4o', messages: [{ role: 'user', content: 'hello' }] }),
  })

describe('azure-openai settings through the admin API', () => {
  it('creates a provider with its deployments and API version, and calls the mapped deployment', async () => {
    const res = await send('POST', '/admin/v1/providers', {
      id: 'az',
      type: 'azure-openai',
      baseUrl: azureUrl,
      apiKey: KEY,
      models: ['gpt-4o'],
      deployments: { 'gpt-4o': 'gpt4o-prod' },
      apiVersion: '2025-01-01-preview',
    })
    expect(res.status).toBe(201)
    expect((await res.json()).settings).toEqual({
      deployments: { 'gpt-4o': 'gpt4o-prod' },
      apiVersion: '2025-01-01-preview',
    })
    const call = await chat()
    expect(call.status).toBe(200)
    expect(seen.at(-1)?.path).toBe('/openai/deployments/gpt4o-prod/chat/completions?api-version=2025-01-01-preview')
  })

  it('changes the API version by PUT, keeping the deployments', async () => {
    const res = await send('PUT', '/admin/v1/providers/az', { apiVersion: 'v1' })
    expect(res.status).toBe(200)
    expect((await res.json()).settings).toEqual({ deployments: { 'gpt-4o': 'gpt4o-prod' }, apiVersion: 'v1' })
    expect((await chat()).status).toBe(200)
    expect(seen.at(-1)).toEqual({ path: '/openai/v1/chat/completions', model: 'gpt4o-prod' })
    const listed = await (await gw.admin('/admin/v1/providers/az')).json()
    expect(listed.settings.apiVersion).toBe('v1')
  })

  it('refuses a malformed version, and Azure settings on another type, at the field', async () => {
    const bad = await send('PUT', '/admin/v1/providers/az', { apiVersion: 'latest' })
    expect(bad.status).toBe(400)
    expect((await bad.json()).error).toMatchObject({ param: 'apiVersion', code: 'invalid_value' })
    const other = await send('POST', '/admin/v1/providers', {
      id: 'oa',
      type: 'openai',
      apiKey: 'sk-x',
      deployments: { a: 'b' },
    })
    expect(other.status).toBe(400)
    expect((await other.json()).error).toMatchObject({
      param: 'deployments',
      message: expect.stringContaining('is a setting of azure-openai providers'),
    })
  })
})
