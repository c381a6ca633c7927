import { createHash } from 'node:crypto'
import type { Static } from 'typebox'
import { Compile } from 'typebox/compile'
import {
  PROMPT_NAME_PATTERN,
  PromptContentFields,
  PromptContentSchema,
  PromptMessageSchema,
} from '../../src-shared/contract/prompts.js'
import { GatewayError } from '../core/errors.js'
import type { PromptContent } from './types.js'

/** A prompt's content, its messages and the names a prompt can have (URLs, config keys): the admin contract's. */
export { PROMPT_NAME_PATTERN, PromptContentFields, PromptContentSchema, PromptMessageSchema }

const checkContent = Compile(PromptContentSchema)

/** Validates a prompt's content (from the API or config); `where` prefixes the error's field path. */
export function parsePromptContent(value: unknown, where: string): PromptContent {
  if (!checkContent.Check(value)) {
    const first = [...checkContent.Errors(value)][0]
    const path = `${where}${first?.instancePath ?? ''}`
    throw new GatewayError('invalid_request', `${path}: ${first?.message ?? 'invalid prompt'}`, { param: path })
  }
  const c = value as Static<typeof PromptContentSchema>
  // Rebuilt field by field so that key order, and so the hash, never depends on how it was written.
  return {
    messages: c.messages.map((m) => ({ role: m.role, content: m.content })),
    ...(c.model !== undefined && { model: c.model }),
    ...(c.params !== undefined && Object.keys(c.params).length > 0 && { params: c.params }),
    ...(c.responseSchema !== undefined && { responseSchema: c.responseSchema }),
  }
}

/** JSON with object keys sorted at every level: equal content gives equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

export function contentHash(content: PromptContent): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex')
}
