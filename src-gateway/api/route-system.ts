import type { RouteConfig } from '../config/schema.js'
import type { ChatMessage, ChatRequest } from '../core/chat-types.js'
import type { GatewayCall } from '../pipeline/call.js'

type RouteSystem = NonNullable<RouteConfig['system']>

/** Index just past the leading system/developer messages: where a route's appended instruction goes. */
function endOfSystemBlock(messages: readonly { role?: unknown }[]): number {
  let i = 0
  while (i < messages.length && (messages[i].role === 'system' || messages[i].role === 'developer')) i++
  return i
}

function wrapMessages<M>(messages: M[], system: RouteSystem, make: (text: string) => M): M[] {
  const out = [...messages]
  if (system.append) out.splice(endOfSystemBlock(out as { role?: unknown }[]), 0, make(system.append))
  if (system.prepend) out.unshift(make(system.prepend))
  return out
}

/** Anthropic keeps the system prompt in `system`: a string or an array of text blocks. */
function wrapAnthropicSystem(current: unknown, system: RouteSystem): unknown {
  if (Array.isArray(current)) {
    const block = (text: string) => ({ type: 'text', text })
    return [
      ...(system.prepend ? [block(system.prepend)] : []),
      ...current,
      ...(system.append ? [block(system.append)] : []),
    ]
  }
  const parts = [system.prepend, typeof current === 'string' && current !== '' ? current : undefined, system.append]
  return parts.filter((p) => p).join('\n\n')
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
  const body = call.body
  if (call.dialect === 'openai' && Array.isArray(body.messages)) {
    call.body = { ...body, messages: wrapMessages(body.messages, system, (content) => ({ role: 'system', content })) }
  } else if (call.dialect === 'anthropic') {
    call.body = { ...body, system: wrapAnthropicSystem(body.system, system) }
  }
  return {
    ...canonical,
    messages: wrapMessages<ChatMessage>(canonical.messages, system, (content) => ({ role: 'system', content })),
  }
}
