import { cacheCard } from './cache/CacheCard'
import type { OverviewCard } from './card'
import { costCard } from './cost/CostCard'
import { errorsCard } from './errors/ErrorsCard'
import { guardrailsCard } from './guardrails/GuardrailsCard'
import { kpisCard } from './kpis/KpiTiles'
import { latencyCard } from './latency/LatencyChart'
import { localCloudCard } from './local-cloud/LocalCloudChart'
import { mcpCallsCard } from './mcp-calls/McpCallsCard'
import { providerErrorsCard } from './provider-errors/ProviderErrorsCard'
import { requestsCard } from './requests/RequestsCard'
import { spendCard } from './spend/SpendCard'
import { topModelsCard } from './top-models/TopModels'

/** The Overview's cards in the order the page draws them: a new card is its folder plus one line here. */
export const OVERVIEW_CARDS: OverviewCard[] = [
  kpisCard,
  requestsCard,
  costCard,
  errorsCard,
  latencyCard,
  cacheCard,
  guardrailsCard,
  topModelsCard,
  localCloudCard,
  providerErrorsCard,
  spendCard,
  mcpCallsCard,
]
