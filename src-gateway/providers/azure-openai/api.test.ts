import { describe, expect, it } from 'vitest'
import { azureOpenAI } from './index.js'

const req = { model: 'alias', messages: [{ role: 'user' as const, content: 'Hi' }] }
const ctx = (settings?: Record<string, unknown>) => ({ baseUrl: 'https://r.openai.azure.com', apiKey: 'k', settings })

describe('azure-openai requests', () => {
  it('call the deployment named like the model, with the default dated api-version', () => {
    const sent = azureOpenAI.chatRequest(req, 'gpt-4o', ctx())
    expect(sent.path).toBe('/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21')
    expect(sent.headers).toEqual({ 'api-key': 'k', 'content-type': 'application/json' })
  })

  it('use the v1 API with the deployment as the model when apiVersion is v1', () => {
    const sent = azureOpenAI.chatRequest(req, 'gpt-4o', ctx({ apiVersion: 'v1', deployments: { 'gpt-4o': 'prod 1' } }))
    expect(sent.path).toBe('/openai/v1/chat/completions')
    expect(JSON.parse(sent.body ?? '{}').model).toBe('prod 1')
  })

  it('escape a deployment name in the path and keep a mapping from the prototype out', () => {
    const sent = azureOpenAI.embeddingsRequest?.({ model: 'e', input: 'x' }, 'constructor', ctx({ deployments: {} }))
    expect(sent?.path).toBe('/openai/deployments/constructor/embeddings?api-version=2024-10-21')
    const spaced = azureOpenAI.embeddingsRequest?.({ model: 'e', input: 'x' }, 'e', ctx({ deployments: { e: 'a/b' } }))
    expect(spaced?.path).toBe('/openai/deployments/a%2Fb/embeddings?api-version=2024-10-21')
  })
})

describe('azure-openai errors', () => {
  it('name the content filter even when it lists no category', () => {
    const body = JSON.stringify({ error: { code: 'content_filter', message: 'filtered', status: 400 } })
    const err = azureOpenAI.error(400, body, {})
    expect(err.message).toBe("Azure OpenAI's content filter blocked this request: filtered")
    expect(err.opts.code).toBe('content_filter')
  })

  it('leave other errors as OpenAI-shaped ones', () => {
    const body = JSON.stringify({ error: { code: 'DeploymentNotFound', message: 'no such deployment' } })
    expect(azureOpenAI.error(404, body, {})).toMatchObject({ kind: 'not_found', message: 'no such deployment' })
  })
})
