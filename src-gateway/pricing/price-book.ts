import { calcPrice, type ModelPrice, type PriceOptions } from '@pydantic/genai-prices'
import type { ModelPricing } from '../../src-shared/contract/pricing.js'
import type { GatewayConfig } from '../config/schema.js'
import { ownValue } from '../core/json-values.js'
import { descriptorOf, type ProviderType } from '../providers/registry.js'
import { isLocalProvider } from './locality.js'

/** Token counts of one call. `input` is the whole prompt, cache reads and writes included. */
export interface TokenUsage {
  input: number
  output: number
  cached?: number
  cacheWrite?: number
}

export interface PriceQuery {
  /** The provider id from config (`openai`, `claude`, `lmstudio`…). */
  providerId?: string
  model: string
  usage: TokenUsage
  /** When the call was made (epoch ms): some table prices depend on the date or time of day. */
  at?: number
}

/** Per-model prices in USD per 1M tokens, as the UI shows them (stated by the admin contract). */
export type { ModelPricing }

export interface PriceBook {
  /** Cost in USD, or null when no price is known for the model. */
  cost(q: PriceQuery): number | null
  describe(model: string, providerId?: string): ModelPricing | null
  /** The table's context window for the model (routing asks on every call, so it is kept with the resolution). */
  contextWindow(model: string, providerId?: string): number | undefined
  /** Follows a config change (providers, their `local:` settings, `pricing:`): the next call is priced by it. */
  applyConfig(config: GatewayConfig): void
}

/** What pricing needs to know of a configured provider. */
interface PricedProvider {
  type: ProviderType
  baseUrl: string
  local: boolean
}

interface Rates {
  input: number
  output: number
  cachedInput?: number
}

type Resolution =
  | { kind: 'config'; rates: Rates }
  | { kind: 'local' }
  | { kind: 'table'; modelId: string; options: PriceOptions; contextWindow?: number | null }
  | null

/** Where an OpenAI-compatible host's model is looked for when neither its URL nor its name identify it. */
const COMPATIBLE_HOSTS = [
  'openai',
  'anthropic',
  'google',
  'groq',
  'mistral',
  'deepseek',
  'x-ai',
  'together',
  'fireworks',
  'cerebras',
  'perplexity',
  'moonshotai',
  'openrouter',
]

const PROBE = { input_tokens: 0, output_tokens: 0 }
const MTOK = 1_000_000
/** Price look-ups remembered per price book: every configured and catalogued model many times over. */
const MAX_RESOLVED = 10_000

function costFromRates(r: Rates, u: TokenUsage): number {
  const cached = u.cached ?? 0
  const cacheWrite = u.cacheWrite ?? 0
  const fresh = Math.max(0, u.input - cached - cacheWrite)
  return ((fresh + cacheWrite) * r.input + cached * (r.cachedInput ?? r.input) + u.output * r.output) / MTOK
}

function baseRate(p: ModelPrice[string]): number | null {
  if (p === undefined) return null
  return typeof p === 'number' ? p : p.base
}

function pricedProviders(config: GatewayConfig): Map<string, PricedProvider> {
  return new Map(
    Object.entries(config.providers ?? {}).map(([id, p]) => [
      id,
      { type: p.type, baseUrl: p.baseUrl ?? descriptorOf(p.type).defaultBaseUrl, local: isLocalProvider(p) },
    ]),
  )
}

/**
 * Prices calls from, in order: the config's `pricing:` section (`provider/model`, then a bare model
 * name), zero for local providers (see `isLocalProvider`), then the bundled `@pydantic/genai-prices`
 * snapshot. The snapshot is never updated over the network: the gateway must work offline and give the
 * same price twice. One rule whichever way a provider was added: all of it is read from the config in force.
 */
export function createPriceBook(config: GatewayConfig): PriceBook {
  let overrides = config.pricing ?? {}
  let providers = pricedProviders(config)
  // Finding a model in the table means matching it against every entry; the answer is cached per pair.
  const resolved = new Map<string, Resolution>()

  const findInTable = (model: string, provider: PricedProvider | undefined) => {
    const known = (options: PriceOptions): Resolution => {
      const found = calcPrice(PROBE, model, options)
      // Later lookups search a provider holding only the matched model: several times faster per row.
      return found
        ? { kind: 'table', modelId: model, options: { provider: { ...found.provider, models: [found.model] } } }
        : null
    }
    const tableId = provider && descriptorOf(provider.type).priceTable
    if (tableId) return known({ providerId: tableId })
    // An OpenAI-compatible host: its URL often names it (api.groq.com), else the model name may.
    if (provider) {
      const byUrl = known({ providerApiUrl: provider.baseUrl })
      if (byUrl) return byUrl
    }
    const byName = known({})
    if (byName) return byName
    for (const providerId of COMPATIBLE_HOSTS) {
      const hit = known({ providerId })
      if (hit) return hit
    }
    return null
  }

  const resolve = (providerId: string | undefined, model: string): Resolution => {
    const key = `${providerId ?? ''}\u0000${model}`
    if (resolved.has(key)) return resolved.get(key)!
    const provider = providerId ? providers.get(providerId) : undefined
    const override = (providerId && ownValue(overrides, `${providerId}/${model}`)) || ownValue(overrides, model)
    let r: Resolution
    if (override) r = { kind: 'config', rates: override }
    else if (provider?.local) r = { kind: 'local' }
    else r = findInTable(model.replace(/^models\//, ''), provider)
    // Clients name models freely (`provider/anything`): the memo starts over rather than grow with them.
    if (resolved.size >= MAX_RESOLVED) resolved.clear()
    resolved.set(key, r)
    return r
  }

  return {
    cost({ providerId, model, usage, at }) {
      const r = resolve(providerId, model)
      if (!r) return null
      if (r.kind === 'local') return 0
      if (r.kind === 'config') return costFromRates(r.rates, usage)
      const price = calcPrice(
        {
          input_tokens: usage.input,
          output_tokens: usage.output,
          cache_read_tokens: usage.cached,
          cache_write_tokens: usage.cacheWrite,
        },
        r.modelId,
        at === undefined ? r.options : { ...r.options, timestamp: new Date(at) },
      )
      return price ? price.total_price : null
    },

    describe(model, providerId) {
      const r = resolve(providerId, model)
      if (!r) return null
      const base = { model, provider: providerId ?? null }
      if (r.kind === 'local' || r.kind === 'config') {
        const rates = r.kind === 'config' ? r.rates : { input: 0, output: 0 }
        return {
          ...base,
          source: r.kind,
          inputPerMtokUsd: rates.input,
          outputPerMtokUsd: rates.output,
          cachedInputPerMtokUsd: rates.cachedInput ?? null,
          cacheWritePerMtokUsd: null,
          isTiered: false,
          contextWindow: null,
        }
      }
      const found = calcPrice(PROBE, r.modelId, r.options)!
      const prices = found.model_price
      return {
        ...base,
        source: 'genai-prices',
        inputPerMtokUsd: baseRate(prices.input_mtok) ?? 0,
        outputPerMtokUsd: baseRate(prices.output_mtok) ?? 0,
        cachedInputPerMtokUsd: baseRate(prices.cache_read_mtok),
        cacheWritePerMtokUsd: baseRate(prices.cache_write_mtok),
        isTiered: Object.values(prices).some((p) => typeof p === 'object'),
        contextWindow: found.model.context_window ?? null,
      }
    },

    contextWindow(model, providerId) {
      const r = resolve(providerId, model)
      if (r?.kind !== 'table') return undefined
      r.contextWindow ??= calcPrice(PROBE, r.modelId, r.options)?.model.context_window ?? null
      return r.contextWindow ?? undefined
    },

    applyConfig(next) {
      overrides = next.pricing ?? {}
      providers = pricedProviders(next)
      resolved.clear()
    },
  }
}
