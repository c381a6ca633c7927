// The one list of provider types. A type is its folder (adapter and descriptor) plus one line here; the
// config schema, default URLs, locality, the price book and the UI's provider form all read it from here.

import type { TProperties } from 'typebox'
import { anthropic } from './anthropic/index.js'
import { azureOpenAI } from './azure-openai/index.js'
import { gemini } from './gemini/index.js'
import { llamacpp } from './llamacpp/index.js'
import { ollama } from './ollama/index.js'
import { openai } from './openai/index.js'
import { openaiCompatible } from './openai-compatible/index.js'
import type { ProviderAdapter, ProviderDescriptor } from './types.js'

/** Every provider type the config may name, by its `type:` value (its descriptor's `type`). */
export const ADAPTERS = {
  openai,
  'openai-compatible': openaiCompatible,
  anthropic,
  gemini,
  ollama,
  llamacpp,
  'azure-openai': azureOpenAI,
} satisfies Record<string, ProviderAdapter>

export type ProviderType = keyof typeof ADAPTERS

export const PROVIDER_TYPES = Object.keys(ADAPTERS) as ProviderType[]

export function descriptorOf(type: ProviderType): ProviderDescriptor {
  return ADAPTERS[type].descriptor
}

/** Every type's own provider settings, for the config schema (a name means the same in every type). */
export const PROVIDER_SETTINGS: TProperties = Object.assign(
  {},
  ...PROVIDER_TYPES.map((t) => ADAPTERS[t].descriptor.settings ?? {}),
)

/** The type whose descriptor declares each setting, to name it when another type's provider uses it. */
const SETTING_OWNER = new Map(
  PROVIDER_TYPES.flatMap((t) => Object.keys(ADAPTERS[t].descriptor.settings ?? {}).map((name) => [name, t] as const)),
)

/**
 * What the schema cannot say of one provider: a setting of another type (ignored there, so surely a
 * mistake) and a missing `baseUrl` where the type has no usable default. Fields are the provider's keys.
 */
export function providerProblems(
  cfg: { type: ProviderType; baseUrl?: string } & object,
): { field: string; message: string }[] {
  const { descriptor } = ADAPTERS[cfg.type]
  const problems: { field: string; message: string }[] = []
  if (descriptor.baseUrlRequired && cfg.baseUrl === undefined) {
    problems.push({ field: 'baseUrl', message: `is required for ${cfg.type} (e.g. ${descriptor.defaultBaseUrl})` })
  }
  for (const field of Object.keys(cfg)) {
    const owner = SETTING_OWNER.get(field)
    if (owner && owner !== cfg.type)
      problems.push({ field, message: `is a setting of ${owner} providers, not ${cfg.type}` })
  }
  return problems
}
