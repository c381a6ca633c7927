// Ids for upstreams that send none (Gemini, Ollama): tool calls need one so results can be paired, and
// replies need one because clients and the Anthropic surface key on it.

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const LENGTH = 24

function randomSuffix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(LENGTH))
  let out = ''
  // 256 % 62 bias is irrelevant for ids that only need to be unique, not uniform.
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length]
  return out
}

/** `call_<24 alphanumerics>`: valid as an Anthropic tool_use id too (pitfall P17). */
export function synthesizeToolCallId(): string {
  return `call_${randomSuffix()}`
}

/** `chatcmpl-<24 alphanumerics>`, the OpenAI shape of a completion id. */
export function synthesizeCompletionId(): string {
  return `chatcmpl-${randomSuffix()}`
}
