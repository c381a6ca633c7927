import type { FastifyInstance } from 'fastify'
import { NoQuerySchema } from '../../../src-shared/contract/common.js'
import type { ProviderTypeInfo, ProviderTypesAnswer } from '../../../src-shared/contract/provider-types.js'
import { ADAPTERS, PROVIDER_TYPES } from '../../providers/registry.js'

/** The registry's descriptors as the UI reads them; capabilities are which optional adapter parts exist. */
function describeTypes(): ProviderTypeInfo[] {
  return PROVIDER_TYPES.map((type) => {
    const adapter = ADAPTERS[type]
    const { descriptor } = adapter
    const info: ProviderTypeInfo = {
      type,
      label: descriptor.label,
      defaultBaseUrl: descriptor.defaultBaseUrl,
      baseUrlRequired: descriptor.baseUrlRequired === true,
      locality: descriptor.locality,
      keyRequired: descriptor.keyRequired,
      auth: descriptor.auth,
      capabilities: {
        embeddings: adapter.embeddingsRequest !== undefined,
        modelListing: adapter.modelsRequest !== undefined,
        countTokens: adapter.countTokensRequest !== undefined,
      },
      settings: Object.keys(descriptor.settings ?? {}),
    }
    if (descriptor.hint) info.hint = descriptor.hint
    return info
  })
}

/** GET /admin/v1/provider-types: every provider type, for the UI's provider form. */
export function registerAdminProviderTypes(app: FastifyInstance): void {
  const answer: ProviderTypesAnswer = { items: describeTypes() }
  app.get(
    '/admin/v1/provider-types',
    { config: { permission: 'providers:read' }, schema: { querystring: NoQuerySchema } },
    async () => answer,
  )
}
