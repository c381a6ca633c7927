import type { GatewayConfig } from '../config/schema.js'
import type { GatewayContext } from '../gateway-context.js'
import { eventCost } from '../pricing/event-cost.js'
import type { PriceBook } from '../pricing/price-book.js'
import { isKnownModel } from '../routing/resolve.js'
import { Telemetry } from './otlp-export.js'

/**
 * The gateway's exporter: providers, known models and prices are read from the running gateway when an
 * event is exported (`gateway` and `config` are getters, as the gateway is built after its log sink).
 */
export function gatewayTelemetry(
  initial: GatewayConfig,
  live: { gateway: () => GatewayContext; config: () => GatewayConfig; priceBook: PriceBook },
): Telemetry {
  return new Telemetry(initial, {
    provider(id) {
      const type = live.config().providers?.[id]?.type
      const runtime = live.gateway().providers.get(id)
      return type && runtime ? { type, baseUrl: runtime.ctx.baseUrl } : undefined
    },
    knownModel: (provider, model) => isKnownModel(live.gateway(), provider, model),
    costUsd: (e) => eventCost(live.priceBook, e),
  })
}
