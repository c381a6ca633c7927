import type { ChatRequest } from '../core/chat-types.js'
import { isPlainObject } from '../core/json-values.js'
import type { ContextHint } from '../providers/types.js'
import { promptTokensSoFar } from '../routing/prompt-size.js'
import type { Target } from '../routing/resolve.js'
import { knownWindow, type WindowDeps } from '../routing/target-window.js'
import type { GatewayCall } from './call.js'

/**
 * The prompt's size and the target's window, for an adapter that sizes the upstream's context (Ollama's
 * num_ctx). Routing has asked for the window already, and counted tokens when characters were not enough.
 */
export function contextHint(deps: WindowDeps, call: GatewayCall, canonical: ChatRequest, target: Target): ContextHint {
  const hint: ContextHint = { promptTokens: promptTokensSoFar(canonical), contextWindow: knownWindow(target, deps) }
  const options = call.dialect === 'ollama' ? call.body.options : undefined
  if (isPlainObject(options) && typeof options.num_ctx === 'number' && options.num_ctx > 0) {
    hint.callerNumCtx = options.num_ctx
  }
  return hint
}
