import type { FastifyInstance } from 'fastify'
import { ADAPTERS, PROVIDER_TYPES } from '../../providers/registry.js'

/**
 * One type as src-shared/contract/provider-types.ts states it. The gateway's build (tsconfig.gateway.json,
 * rootDir src-gateway) cannot include src-shared yet, so the answer is checked against that schema by
 * test/gateway/provider-types.test.ts instead of being typed by it here.
 */
interface ProviderTypeInfo {
  type: string
  label: string
  defaultBaseUrl: string
  baseUrlRequired: boolean
  locality: 'local' | 'cloud' | 'when loopback'
  keyRequired: boolean
  auth: string
  capabilities: { embeddings: boolean; modelListing: boolean; countTokens: boolean }
  settings: string[]
  hint?: string
}

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
  const answer = { items: describeTypes() }
  app.get('/admin/v1/provider-types', async () => answer)
}
