// What Ollama clients want to know about a model that no upstream listing tells: its family (shown as
// the architecture), whether it sees images, thinks or embeds, and its context size. Ollama reads these
// from the GGUF file; for any other model they are inferred from the id. First matching pattern wins.

export interface ModelTraits {
  family: string
  contextLength?: number
  vision?: boolean
  thinking?: boolean
  embedding?: boolean
}

const TRAITS: readonly [pattern: RegExp, traits: ModelTraits][] = [
  [/embed/, { family: 'bert', embedding: true, contextLength: 8192 }],
  [/claude/, { family: 'claude', contextLength: 200_000, vision: true, thinking: true }],
  [/gpt-5/, { family: 'gpt', contextLength: 400_000, vision: true, thinking: true }],
  [/gpt-4\.1/, { family: 'gpt', contextLength: 1_047_576, vision: true }],
  [/gpt-4o/, { family: 'gpt', contextLength: 128_000, vision: true }],
  [/gpt-oss/, { family: 'gptoss', contextLength: 131_072, thinking: true }],
  [/(^|\/)o[134](-|$)/, { family: 'gpt', contextLength: 200_000, vision: true, thinking: true }],
  [/gpt/, { family: 'gpt', contextLength: 128_000 }],
  [/gemini-(2\.5|3)/, { family: 'gemini', contextLength: 1_048_576, vision: true, thinking: true }],
  [/gemini/, { family: 'gemini', contextLength: 1_048_576, vision: true }],
  [/gemma3/, { family: 'gemma3', contextLength: 131_072, vision: true }],
  [/llava|vision|-vl|vl:/, { family: 'llava', vision: true }],
  [/qwen3/, { family: 'qwen3', contextLength: 40_960, thinking: true }],
  [/qwen/, { family: 'qwen2', contextLength: 32_768 }],
  [/deepseek-r1/, { family: 'qwen2', contextLength: 131_072, thinking: true }],
  [/llama/, { family: 'llama', contextLength: 131_072 }],
  [/mistral|mixtral|devstral/, { family: 'llama', contextLength: 32_768 }],
]

/**
 * Clients size their prompts by the context length; when neither the upstream nor the id tells it, a
 * middling default keeps them from truncating too early or overflowing small local models by much.
 */
export const DEFAULT_CONTEXT_LENGTH = 32_768

export function traitsOf(modelId: string): ModelTraits {
  const id = modelId.toLowerCase()
  for (const [pattern, traits] of TRAITS) if (pattern.test(id)) return traits
  return { family: 'llama' }
}
