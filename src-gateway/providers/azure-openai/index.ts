// Azure OpenAI: OpenAI's wire format (openai-base does the translation) at deployment URLs, with the
// `api-key` header. Azure has no key-authorised listing of a resource's deployments, so models come from
// the provider's `models:` and `deployments:`.

import { toOpenAIRequest } from '../openai-base/chat.js'
import { embeddingsResponse } from '../openai-base/embeddings.js'
import { fromOpenAIResponse } from '../openai-base/response.js'
import { createOpenAIStreamDecoder } from '../openai-base/stream.js'
import type { ProviderAdapter } from '../types.js'
import { AZURE_SETTINGS, azurePost, azureTarget } from './api.js'
import { fromAzureError } from './errors.js'

/** Azure serves OpenAI's own models: OpenAI-only fields (max_completion_tokens, developer role) go as is. */
const REQUEST_OPTIONS = { strictOpenAI: true }

export const azureOpenAI: ProviderAdapter = {
  descriptor: {
    type: 'azure-openai',
    label: 'Azure OpenAI',
    defaultBaseUrl: 'https://YOUR-RESOURCE.openai.azure.com',
    baseUrlRequired: true,
    locality: 'cloud',
    keyRequired: true,
    auth: 'api-key',
    priceTable: 'azure',
    settings: AZURE_SETTINGS,
    hint:
      "Base URL: your resource's endpoint, https://NAME.openai.azure.com. A model is called on the deployment " +
      'of the same name unless `deployments:` maps it; Azure cannot list deployments, so name them under Models.',
  },
  framing: 'sse',
  chatRequest(req, model, ctx) {
    const target = azureTarget('chat/completions', model, ctx)
    return azurePost(target.path, toOpenAIRequest(req, target.model, REQUEST_OPTIONS), ctx)
  },
  chatResponse: fromOpenAIResponse,
  chatStream: createOpenAIStreamDecoder,
  error: fromAzureError,
  embeddingsRequest(req, model, ctx) {
    const target = azureTarget('embeddings', model, ctx)
    return azurePost(target.path, { ...req, model: target.model }, ctx)
  },
  embeddingsResponse,
}
