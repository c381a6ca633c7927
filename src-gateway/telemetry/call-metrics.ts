import type { Attributes, Meter } from '@opentelemetry/api'
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions'
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
  METRIC_GEN_AI_SERVER_TIME_TO_FIRST_TOKEN,
} from '@opentelemetry/semantic-conventions/incubating'
import type { LogEvent } from '../core/log-event.js'
import { OTHER_MODEL } from '../routing/resolve.js'
import { type CallFacts, errorType, operationOf } from './call-facts.js'

// The bucket boundaries the GenAI metric conventions specify for each histogram.
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]
const DURATION_BUCKETS_S = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]
const TTFT_BUCKETS_S = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]
// /metrics' own buckets (api/metrics.ts), so both exports of the gateway's latency agree.
const LATENCY_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]
const GATEWAY_TTFT_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30]

/**
 * Records each finished call: the GenAI client histograms (token usage, operation duration, and time to
 * first token for streams) and the gateway's own counters with the meaning of their /metrics namesakes,
 * named so that a Prometheus backend turns them into the same names (`switchyard.requests` becomes
 * `switchyard_requests_total`, `switchyard.request.duration` in seconds `switchyard_request_duration_seconds`). Only names the gateway resolved are
 * attributes (the serving provider and model, the requested name once it resolved; a model the gateway
 * does not list is `other`, as on /metrics), so a client inventing model names cannot grow the series.
 */
export function callMetrics(meter: Meter, facts: CallFacts): (e: LogEvent) => void {
  const tokenUsage = meter.createHistogram(METRIC_GEN_AI_CLIENT_TOKEN_USAGE, {
    description: 'Number of input and output tokens used.',
    unit: '{token}',
    advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
  })
  const duration = meter.createHistogram(METRIC_GEN_AI_CLIENT_OPERATION_DURATION, {
    description: 'GenAI operation duration.',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS_S },
  })
  const firstToken = meter.createHistogram(METRIC_GEN_AI_SERVER_TIME_TO_FIRST_TOKEN, {
    description: 'Time to generate first token for successful responses.',
    unit: 's',
    advice: { explicitBucketBoundaries: TTFT_BUCKETS_S },
  })
  const requests = meter.createCounter('switchyard.requests', {
    description: 'Calls through the gateway, by provider, model and status.',
  })
  const errors = meter.createCounter('switchyard.request.errors', {
    description: 'Calls that ended with a status of 400 or more.',
  })
  const tokens = meter.createCounter('switchyard.tokens', {
    description: 'Tokens by provider, model and type (input includes cached).',
    unit: '{token}',
  })
  const cost = meter.createCounter('switchyard.cost.usd', {
    description: 'Spend in USD by provider and model.',
    unit: '{USD}',
  })
  const latency = meter.createHistogram('switchyard.request.duration', {
    description: 'Total call latency.',
    unit: 's',
    advice: { explicitBucketBoundaries: LATENCY_BUCKETS_S },
  })
  const ttft = meter.createHistogram('switchyard.time_to_first_token', {
    description: 'Time to the first streamed token.',
    unit: 's',
    advice: { explicitBucketBoundaries: GATEWAY_TTFT_BUCKETS_S },
  })

  return (e) => {
    const failed = e.status >= 400
    const genAi: Attributes = { [ATTR_GEN_AI_OPERATION_NAME]: operationOf(e) }
    if (e.provider) {
      const name = facts.provider(e.provider)?.name
      if (name) genAi[ATTR_GEN_AI_PROVIDER_NAME] = name
    }
    const known = !e.provider || !e.model || facts.knownModel(e.provider, e.model)
    const model = known ? e.model : OTHER_MODEL
    if (model) {
      genAi[ATTR_GEN_AI_REQUEST_MODEL] = known ? e.requestedModel : OTHER_MODEL
      if (!failed) genAi[ATTR_GEN_AI_RESPONSE_MODEL] = model
    }
    if (failed) genAi[ATTR_ERROR_TYPE] = errorType(e.status, e.error)
    duration.record(e.latencyMs / 1000, genAi)
    // Tokens a provider reported for this call: an answer from the gateway's cache used none.
    if (!e.isCacheHit) {
      if (e.inputTokens !== undefined) tokenUsage.record(e.inputTokens, { ...genAi, [ATTR_GEN_AI_TOKEN_TYPE]: 'input' })
      if (e.outputTokens !== undefined)
        tokenUsage.record(e.outputTokens, { ...genAi, [ATTR_GEN_AI_TOKEN_TYPE]: 'output' })
    }
    if (e.stream && e.ttftMs !== undefined && !failed) firstToken.record(e.ttftMs / 1000, genAi)

    const series = { provider: e.provider ?? '', model: model ?? '' }
    requests.add(1, { ...series, status: e.status })
    if (failed) errors.add(1, { ...series, status: e.status })
    if (e.inputTokens) tokens.add(e.inputTokens, { ...series, type: 'input' })
    if (e.outputTokens) tokens.add(e.outputTokens, { ...series, type: 'output' })
    if (e.cachedTokens) tokens.add(e.cachedTokens, { ...series, type: 'cached' })
    if (e.reasoningTokens) tokens.add(e.reasoningTokens, { ...series, type: 'reasoning' })
    // Spend, as /metrics counts it: an answer from the cache cost nothing.
    const usd = e.isCacheHit ? null : facts.costUsd(e)
    if (usd) cost.add(usd, series)
    latency.record(e.latencyMs / 1000, series)
    if (e.ttftMs !== undefined) ttft.record(e.ttftMs / 1000, series)
  }
}
