/** One configured provider of each type: the ids the SDK matrix tests loop over. */
export const PROVIDERS = ['oa', 'compat', 'claude', 'llama', 'cpp', 'gem'] as const

/**
 * YAML lines (under `providers:`) for one provider of each type, ids prefixed with `prefix`. `url` serves
 * the OpenAI, Anthropic and Ollama wire formats; `geminiUrl` the Gemini one.
 */
export function everyProviderYaml(url: string, geminiUrl: string, prefix = ''): string {
  return `
  ${prefix}oa: { type: openai, baseUrl: "${url}/v1", apiKey: sk-test }
  ${prefix}compat: { type: openai-compatible, baseUrl: "${url}/v1" }
  ${prefix}claude: { type: anthropic, baseUrl: "${url}", apiKey: sk-ant-test }
  ${prefix}llama: { type: ollama, baseUrl: "${url}" }
  ${prefix}cpp: { type: llamacpp, baseUrl: "${url}/v1" }
  ${prefix}gem: { type: gemini, baseUrl: "${geminiUrl}", apiKey: g-test }`
}
