import { GatewayError } from './errors.js'

/**
 * A prompt larger than the context window of every target that could take it. Each inbound API words
 * it as its own server would (the errors.ts of each api/ folder), since agents compact their history on exactly that
 * error: Anthropic's "prompt is too long: N tokens > M maximum" is the message here.
 */
export class ContextLengthError extends GatewayError {
  constructor(
    readonly promptTokens: number,
    readonly contextWindow: number,
  ) {
    super('invalid_request', `prompt is too long: ${promptTokens} tokens > ${contextWindow} maximum`, {
      param: 'messages',
      code: 'context_length_exceeded',
    })
  }
}
