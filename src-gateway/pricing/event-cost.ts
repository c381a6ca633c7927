import type { LogEvent } from '../core/log-event.js'
import type { PriceBook } from './price-book.js'

/**
 * What a finished call cost in USD, or null when it reported no usage or its model has no price. Never
 * throws: the log writer would otherwise fail a whole batch, and budgets would fail the request.
 */
export function eventCost(priceBook: PriceBook, e: LogEvent): number | null {
  if (!e.model || (e.inputTokens === undefined && e.outputTokens === undefined)) return null
  try {
    return priceBook.cost({
      providerId: e.provider,
      model: e.model,
      at: e.startedAt,
      usage: {
        input: e.inputTokens ?? 0,
        output: e.outputTokens ?? 0,
        cached: e.cachedTokens,
        cacheWrite: e.cacheWriteTokens,
      },
    })
  } catch {
    return null
  }
}
