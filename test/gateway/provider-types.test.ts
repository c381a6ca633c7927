// GET /admin/v1/provider-types serves the provider registry's descriptors, from which the UI's provider
// form is built: every type, with its default URL, locality, key and what its API offers.

import { Compile } from 'typebox/compile'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROVIDER_TYPES } from '../../src-gateway/providers/registry.js'
import { type ProviderTypesAnswer, ProviderTypesAnswerSchema } from '../../src-shared/contract/provider-types.js'
import { startGateway, type TestGateway } from '../helpers/gateway.js'

let gw: TestGateway

beforeAll(async () => {
  gw = await startGateway('providers: {}\n')
})

afterAll(async () => {
  await gw?.close()
})

describe('GET /admin/v1/provider-types', () => {
  it('lists every registry type with what the provider form needs', async () => {
    const res = await gw.admin('/admin/v1/provider-types')
    expect(res.status).toBe(200)
    const answer = await res.json()
    // The renderer is typed by the contract; the gateway's answer must keep to it.
    expect(Compile(ProviderTypesAnswerSchema).Check(answer)).toBe(true)
    const { items } = answer as ProviderTypesAnswer
    expect(items.map((t) => t.type)).toEqual(PROVIDER_TYPES)
    expect(items.find((t) => t.type === 'ollama')).toMatchObject({
      defaultBaseUrl: 'http://127.0.0.1:11434',
      baseUrlRequired: false,
      locality: 'local',
      keyRequired: false,
      capabilities: { embeddings: true, modelListing: true, countTokens: false },
      settings: ['numCtx'],
    })
    expect(items.find((t) => t.type === 'openai-compatible')?.locality).toBe('when loopback')
    expect(items.find((t) => t.type === 'azure-openai')).toMatchObject({
      label: 'Azure OpenAI',
      baseUrlRequired: true,
      locality: 'cloud',
      keyRequired: true,
      auth: 'api-key',
      capabilities: { embeddings: true, modelListing: false, countTokens: false },
      settings: ['deployments', 'apiVersion'],
      hint: expect.stringContaining('deployments'),
    })
  })

  it('is admin-only', async () => {
    expect((await fetch(`${gw.url}/admin/v1/provider-types`)).status).toBe(401)
  })
})
