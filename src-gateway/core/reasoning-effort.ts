// OpenAI's `reasoning_effort` (Responses: `reasoning.effort`) and Anthropic's `thinking.budget_tokens` are
// the same knob in two units. The table is docs/thinking.md's; Anthropic's smallest budget is 1024.

/**
 * Effort → Anthropic thinking budget. `none` and `minimal` (OpenAI's "as little as it can", below Anthropic's
 * smallest budget) ask for no thinking, as does anything unknown.
 */
const BUDGET_BY_EFFORT: Record<string, number> = {
  low: 1024,
  medium: 4096,
  high: 16384,
  xhigh: 32768,
}

export function budgetForEffort(effort: string | undefined): number | undefined {
  return effort === undefined ? undefined : BUDGET_BY_EFFORT[effort]
}

/** Budget → effort: up to 2048 is low, up to 8192 medium, more is high. */
export function effortForBudget(budget: number): 'low' | 'medium' | 'high' {
  return budget <= 2048 ? 'low' : budget <= 8192 ? 'medium' : 'high'
}

// Servers reject a reasoning switch for models that cannot reason (OpenAI: "reasoning_effort is not supported
// with this model"; Ollama: "does not support thinking"), and Anthropic clients such as Claude Code ask for
// thinking on every request, so the switch is passed on only to models known by id to take it.

/**
 * OpenAI's reasoning families, wherever they are served (OpenAI, OpenRouter, vLLM, Groq, LM Studio), take
 * low/medium/high. Other reasoning models on OpenAI-shaped servers take other values or none (Groq's qwen3:
 * none/default) and think by default, so they are left alone.
 */
const EFFORT_MODEL = /(^|[/:_-])(o[1345]|gpt-5|gpt-oss)/i

export function takesReasoningEffort(model: string): boolean {
  return EFFORT_MODEL.test(model)
}

/** Ollama models that can think (its `think` switch); qwen3-coder is a qwen3 that does not. */
const OLLAMA_THINKING_MODEL =
  /(^|[/:_-])(gpt-oss|qwen3(?!-coder)|qwq|deepseek-r1|deepseek-v3\.[1-9]|magistral|phi4-reasoning|cogito)/i

export function thinksOnOllama(model: string): boolean {
  return OLLAMA_THINKING_MODEL.test(model)
}
