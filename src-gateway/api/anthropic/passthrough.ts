import { createSseParser } from '../../core/sse.js'
import { withSendableThinking } from '../../providers/anthropic/thinking.js'
import { anthropicPassthroughStream } from '../passthrough-stream.js'
import { countsFromAnthropicUsage, framedRelay } from '../stream-accounting.js'
import type { PassthroughCodec, RouteSystem } from '../types.js'

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

/** An Anthropic client's Messages body relayed to an Anthropic upstream. */
export const anthropicPassthrough: PassthroughCodec = {
  // Thinking blocks Anthropic did not sign (another model's, via the gateway) are taken out first.
  upstreamBody: (body, model) => withSendableThinking({ ...body, model }),
  // The API version and betas the client chose decide what the upstream accepts and answers.
  forwardedHeaders: ['anthropic-version', 'anthropic-beta'],
  counts: (usage) => countsFromAnthropicUsage(usage as Record<string, number> | undefined),
  stream: () => framedRelay(createSseParser(), anthropicPassthroughStream()),
  wrapSystem: (body, system) => ({ ...body, system: wrapAnthropicSystem(body.system, system) }),
}
