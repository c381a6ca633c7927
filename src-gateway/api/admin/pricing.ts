import type { FastifyInstance } from 'fastify'
import { type ModelPricing, type PricingQuery, PricingQuerySchema } from '../../../src-shared/contract/pricing.js'
import { GatewayError } from '../../core/errors.js'
import type { PriceBook } from '../../pricing/price-book.js'

/** GET /admin/v1/pricing?model=…: the per-1M-token prices the gateway charges a model at. */
export function registerAdminPricing(app: FastifyInstance, priceBook: PriceBook): void {
  app.get<{ Querystring: PricingQuery }>(
    '/admin/v1/pricing',
    { config: { permission: 'providers:read' }, schema: { querystring: PricingQuerySchema } },
    async (req): Promise<ModelPricing> => {
      let { model, provider } = req.query
      // `provider/model` addressing, as in requests, when the prefix names a configured provider.
      const slash = model.indexOf('/')
      if (!provider && slash > 0 && app.gateway.providers.has(model.slice(0, slash))) {
        provider = model.slice(0, slash)
        model = model.slice(slash + 1)
      }
      const pricing = priceBook.describe(model, provider)
      if (!pricing) {
        throw new GatewayError('not_found', `no price known for ${provider ? `${provider}/` : ''}${model}`, {
          code: 'price_not_found',
        })
      }
      return pricing
    },
  )
}
