import { anthropic } from './anthropic/index.js'
import { gemini } from './gemini/index.js'
import { llamacpp } from './llamacpp/index.js'
import { ollama } from './ollama/index.js'
import { openai } from './openai/index.js'
import { openaiCompatible } from './openai-compatible/index.js'
import type { ProviderAdapter, ProviderType } from './types.js'

/** Every provider type the config may name, by its `type:` value. */
export const ADAPTERS: Record<ProviderType, ProviderAdapter> = {
  openai,
  'openai-compatible': openaiCompatible,
  anthropic,
  gemini,
  ollama,
  llamacpp,
}
