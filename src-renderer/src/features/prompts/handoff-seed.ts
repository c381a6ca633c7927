import type { PromptContent } from '../../api/prompts'
import type { Handoff } from '../../store/handoff-slice'

/** A Playground chat as prompt content: text messages, its model, and the parameters it set. */
export function contentFromHandoff(h: Handoff): PromptContent {
  const params: Record<string, number> = {}
  if (h.params.temperature !== null) params.temperature = h.params.temperature
  if (h.params.maxTokens !== null) params.max_tokens = h.params.maxTokens
  if (h.params.topP !== null) params.top_p = h.params.topP
  return {
    messages: h.messages.map((m) => ({
      role: m.role,
      content:
        typeof m.content === 'string' ? m.content : m.content.map((p) => (p.type === 'text' ? p.text : '')).join('\n'),
    })),
    model: h.model || undefined,
    ...(Object.keys(params).length > 0 && { params }),
  }
}
