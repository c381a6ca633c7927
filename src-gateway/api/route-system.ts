import type { RouteConfig } from '../config/schema.js'
import type { ChatMessage, ChatRequest } from '../core/chat-types.js'
import type { GatewayCall } from '../pipeline/call.js'
import type { RouteSystem } from './types.js'

/** Index just past the leading system/developer messages: where a route's appended instruction goes. */
function endOfSystemBlock(messages: readonly { role?: unknown }[]): number {
  let i = 0
  while (i < messages.length && (messages[i].role === 'system' || messages[i].role === 'developer')) i++
  return i
}

export function wrapMessages<M>(messages: M[], system: RouteSystem, make: (text: string) => M): M[] {
  const out = [...messages]
  if (system.append) out.splice(endOfSystemBlock(out as { role?: unknown }[]), 0, make(system.append))
  if (system.prepend) out.unshift(make(system.prepend))
  return out
}

/**
 * Wraps a route's configured system instructions around one call: in the canonical request (translated
 * calls) and in the client's body (pass-through calls send that body upstream as is). The pipeline calls
 * it once, right after decoding; calls to anything but a route alias are returned unchanged.
 */
export function applyRouteSystem(
  route: RouteConfig | undefined,
  call: GatewayCall,
  canonical: ChatRequest,
): ChatRequest {
  const system = route?.system
  if (!system || (!system.prepend && !system.append)) return canonical
  const passthrough = call.codec.passthrough
  if (passthrough) call.body = passthrough.wrapSystem(call.body, system)
  return {
    ...canonical,
    messages: wrapMessages<ChatMessage>(canonical.messages, system, (content) => ({ role: 'system', content })),
  }
}
