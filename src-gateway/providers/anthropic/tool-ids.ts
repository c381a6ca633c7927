// Tool-call ids and arguments as Anthropic accepts them (pitfalls P17, P3).

const INVALID_ID_CHARS = /[^a-zA-Z0-9_-]/g

/**
 * Anthropic rejects tool ids outside ^[a-zA-Z0-9_-]+$, and ids minted by other backends (e.g.
 * `functions.get_weather:0`) break that rule. The same rewrite is applied to `tool_use.id` and
 * `tool_result.tool_use_id`, so pairs stay matched; valid ids (every `toolu_…`) pass unchanged.
 */
export function toAnthropicToolId(id: string): string {
  const clean = id.replace(INVALID_ID_CHARS, '_')
  return clean === '' ? '_' : clean
}

/**
 * A tool call's JSON-string arguments as the object Anthropic requires. Arguments that are empty, not
 * JSON, or not an object (a call cut off by max_tokens) become `{}`: history must still be accepted,
 * and the paired tool_result tells the model what happened.
 */
export function parseToolInput(args: string | undefined): Record<string, unknown> {
  if (!args) return {}
  try {
    const value: unknown = JSON.parse(args)
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {}
  } catch {
    return {}
  }
}
