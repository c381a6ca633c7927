import type { Usage } from '../../core/chat-types.js'
import { openaiPassthroughRelay } from '../passthrough-stream.js'
import { wrapMessages } from '../route-system.js'
import { countsFromUsage } from '../stream-accounting.js'
import type { PassthroughCodec } from '../types.js'

/** An OpenAI client's chat body relayed to an OpenAI-shaped upstream. */
export const openaiPassthrough: PassthroughCodec = {
  upstreamBody(body, model) {
    const out: Record<string, unknown> = { ...body, model }
    // Usage only arrives in an OpenAI stream when asked for; the log needs it (the relay strips it again).
    if (out.stream === true) {
      out.stream_options = { ...(out.stream_options as object | undefined), include_usage: true }
    }
    return out
  },
  forwardedHeaders: [],
  counts: (usage) => countsFromUsage(usage as Usage | undefined),
  stream: openaiPassthroughRelay,
  wrapSystem: (body, system) =>
    Array.isArray(body.messages)
      ? { ...body, messages: wrapMessages(body.messages, system, (content) => ({ role: 'system', content })) }
      : body,
}
