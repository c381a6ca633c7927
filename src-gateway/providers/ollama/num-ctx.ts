// Ollama's `options.num_ctx`: how much context it allocates. Its default (2048 before 0.6, 4096 since)
// silently cuts longer prompts from the front, so an agent loses its instructions without an error.
// The gateway asks for enough for the prompt and the answer, in powers of two so that a growing
// conversation reloads the model only now and then (a different num_ctx is a reload).

import { OllamaSettingsFields } from '../../../src-shared/contract/providers.js'
import { isPlainObject } from '../../core/json-values.js'
import type { ContextHint, ProviderContext } from '../types.js'

/** The provider setting, `numCtx: { min: 16384, max: 65536 }` (its schema is the admin contract's). */
export const OLLAMA_SETTINGS = OllamaSettingsFields

export interface NumCtxSetting {
  min?: number
  max?: number
}

export function numCtxSetting(ctx: ProviderContext): NumCtxSetting {
  const s = ctx.settings?.numCtx
  return isPlainObject(s) ? (s as NumCtxSetting) : {}
}

/** Every Ollama's default fits this much, so a request this small sends no num_ctx (and causes no reload). */
const SMALLEST_DEFAULT = 2048
/** Room for the answer when the caller sets no maximum. */
const DEFAULT_OUTPUT_TOKENS = 1024

/** The num_ctx to send, or undefined to leave the server's default. */
export function numCtxFor(hint: ContextHint, maxOutputTokens: number | undefined, setting: NumCtxSetting) {
  if (hint.callerNumCtx !== undefined) return hint.callerNumCtx
  const needed = hint.promptTokens + (maxOutputTokens ?? DEFAULT_OUTPUT_TOKENS)
  let size = Math.max(2 ** Math.ceil(Math.log2(needed)), setting.min ?? 0)
  if (hint.contextWindow !== undefined) size = Math.min(size, hint.contextWindow)
  if (setting.max !== undefined) size = Math.min(size, setting.max)
  return size <= SMALLEST_DEFAULT && setting.min === undefined ? undefined : size
}
