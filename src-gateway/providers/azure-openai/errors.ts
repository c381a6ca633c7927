// Azure OpenAI answers in OpenAI's error shape, plus its content filter: HTTP 400 with
// `code: "content_filter"` and, under `innererror.content_filter_result`, the categories that were
// `filtered` and their severity. The message says which, so the caller knows it was a policy and not a bug.

import { GatewayError } from '../../core/errors.js'
import { isPlainObject, parseJsonOrUndefined } from '../../core/json-values.js'
import { fromOpenAIError } from '../openai-base/errors.js'
import type { ResponseHeaders } from '../shared/upstream-errors.js'

export function fromAzureError(status: number, body: string, headers: ResponseHeaders): GatewayError {
  const err = fromOpenAIError(status, body, headers)
  if (err.opts.code !== 'content_filter') return err
  const categories = filteredCategories(body)
  const which = categories.length ? ` (${categories.join(', ')})` : ''
  return new GatewayError(
    err.kind,
    `Azure OpenAI's content filter blocked this request${which}: ${err.message}`,
    err.opts,
  )
}

/** `hate: medium` for each category the filter blocked. */
function filteredCategories(body: string): string[] {
  const json = parseJsonOrUndefined(body)
  const error = isPlainObject(json) && isPlainObject(json.error) ? json.error : undefined
  const inner = error && isPlainObject(error.innererror) ? error.innererror : undefined
  const result = inner && isPlainObject(inner.content_filter_result) ? inner.content_filter_result : {}
  return Object.entries(result)
    .filter(([, v]) => isPlainObject(v) && v.filtered === true)
    .map(([name, v]) => {
      const severity = (v as Record<string, unknown>).severity
      return typeof severity === 'string' ? `${name}: ${severity}` : name
    })
}
