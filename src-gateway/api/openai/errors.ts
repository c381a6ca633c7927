import { ContextLengthError } from '../../core/context-length-error.js'
import type { ErrorKind, GatewayError } from '../../core/errors.js'

const TYPE_BY_KIND: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'invalid_request_error',
  permission: 'permission_error',
  not_found: 'invalid_request_error',
  too_large: 'invalid_request_error',
  rate_limited: 'rate_limit_error',
  upstream_overloaded: 'server_error',
  upstream_timeout: 'server_error',
  upstream: 'server_error',
  internal: 'server_error',
  unavailable: 'server_error',
}

const CODE_BY_KIND: Partial<Record<ErrorKind, string>> = {
  authentication: 'invalid_api_key',
  not_found: 'model_not_found',
  too_large: 'request_too_large',
  rate_limited: 'rate_limit_exceeded',
  upstream_overloaded: 'server_overloaded',
  upstream_timeout: 'timeout',
  upstream: 'upstream_error',
  internal: 'internal_error',
  unavailable: 'service_unavailable',
}

/** Which OpenAI API answers: they word a prompt over the window differently. */
export type OpenAIApi = 'chat' | 'responses'

export function openaiErrorBody(
  err: GatewayError,
  api: OpenAIApi = 'chat',
): {
  error: { message: string; type: string; param: string | null; code: string | null }
} {
  if (err instanceof ContextLengthError) return contextLengthBody(err, api)
  return {
    error: {
      message: err.message,
      type: TYPE_BY_KIND[err.kind],
      param: err.opts.param ?? null,
      code: err.opts.code ?? CODE_BY_KIND[err.kind] ?? (err.opts.param ? 'invalid_value' : null),
    },
  }
}

/** OpenAI-dialect status: 529 from Anthropic becomes 503, which every HTTP stack understands. */
export function openaiErrorStatus(err: GatewayError): number {
  return err.status === 529 ? 503 : err.status
}

/** OpenAI's own wording, which agents recognise (with the code) as "compact the history and try again". */
function contextLengthBody(err: ContextLengthError, api: OpenAIApi) {
  const message =
    api === 'responses'
      ? 'Your input exceeds the context window of this model. Please adjust your input and try again.'
      : `This model's maximum context length is ${err.contextWindow} tokens. However, your messages resulted in ${err.promptTokens} tokens. Please reduce the length of the messages.`
  const param = api === 'responses' ? 'input' : 'messages'
  return { error: { message, type: 'invalid_request_error', param, code: 'context_length_exceeded' } }
}
