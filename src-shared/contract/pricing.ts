import { type Static, Type } from 'typebox'

/** GET /admin/v1/pricing?model=…, with `provider` or a `provider/model` name. */
export const PricingQuerySchema = Type.Object({
  model: Type.String({ minLength: 1, description: 'a model name, or provider/model' }),
  provider: Type.Optional(Type.String({ minLength: 1 })),
})
export type PricingQuery = Static<typeof PricingQuerySchema>

/** Per-model prices in USD per 1M tokens, as the UI shows them. */
export const ModelPricingSchema = Type.Object({
  model: Type.String(),
  provider: Type.Union([Type.String(), Type.Null()]),
  /** Where the prices come from: the `pricing:` section, the local-provider rule, or the bundled table. */
  source: Type.Union([Type.Literal('config'), Type.Literal('local'), Type.Literal('genai-prices')]),
  inputPerMtokUsd: Type.Number(),
  outputPerMtokUsd: Type.Number(),
  cachedInputPerMtokUsd: Type.Union([Type.Number(), Type.Null()]),
  cacheWritePerMtokUsd: Type.Union([Type.Number(), Type.Null()]),
  /** Prices change above some prompt sizes (e.g. Gemini over 200k); these are the base tier. */
  isTiered: Type.Boolean(),
  contextWindow: Type.Union([Type.Integer(), Type.Null()]),
})
export type ModelPricing = Static<typeof ModelPricingSchema>
