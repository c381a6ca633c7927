import type { StatsResult } from '../../../../../../src-shared/admin-api'
import { errorRate } from '../../../../store/selectors'

export interface ProviderErrorRow {
  /** Null for requests that failed before any provider was chosen (no route, a refused key). */
  provider: string | null
  requests: number
  errors: number
  rate: number | null
  latencyP95: number | null
}

/** How many providers the card lists; the rest have fewer errors and are one click away in Logs. */
export const PROVIDER_ROWS = 8

/** The providers that failed most in the range: by errors, then error rate, then name. */
export function providerErrors(byProvider: StatsResult, limit = PROVIDER_ROWS): ProviderErrorRow[] {
  return byProvider.groups
    .filter((g) => g.requests > 0)
    .map((g) => ({
      provider: g.group,
      requests: g.requests,
      errors: g.errors,
      rate: errorRate(g),
      latencyP95: g.latencyMs.p95,
    }))
    .sort(
      (a, b) =>
        b.errors - a.errors || (b.rate ?? 0) - (a.rate ?? 0) || (a.provider ?? '').localeCompare(b.provider ?? ''),
    )
    .slice(0, limit)
}
