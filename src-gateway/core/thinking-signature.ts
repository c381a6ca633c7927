// Thinking blocks the gateway makes from another model's reasoning (DeepSeek's `reasoning_content`, Ollama's
// `thinking`, Gemini's thought summaries) carry this signature instead of Anthropic's. Anthropic clients
// keep a thinking block only with a signature and send it back on the next turn; this one tells the gateway
// that the block is not Anthropic's, so it is never replayed to Anthropic (which would reject it with a 400)
// and is passed back as `reasoning_content` to the model kind that wrote it. It proves nothing and needs not:
// a forged one only makes the gateway leave a block out.

export const GATEWAY_THINKING_SIGNATURE = 'switchyard.reasoning.v1'

/** A signature Anthropic issued, as far as the gateway can tell: present and not the gateway's own. */
export function isAnthropicSignature(signature: unknown): signature is string {
  return typeof signature === 'string' && signature !== '' && signature !== GATEWAY_THINKING_SIGNATURE
}
