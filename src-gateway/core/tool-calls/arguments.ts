// Tool-call arguments must be one JSON object: clients JSON.parse them (OpenAI SDKs, Codex) or receive them
// as `input` (Anthropic). Local models often write almost-JSON instead: a trailing comma, single quotes,
// an unclosed brace at the end of a long file write, the object JSON-encoded twice. jsonrepair mends those;
// what it cannot mend is left as the model wrote it, for the client to decide.

import { jsonrepair } from 'jsonrepair'
import { isPlainObject } from '../json-values.js'

/** Whether `text` is one JSON object, without throwing. */
function objectOf(text: string): Record<string, unknown> | string | undefined {
  try {
    const v: unknown = JSON.parse(text)
    return isPlainObject(v) || typeof v === 'string' ? (v as Record<string, unknown> | string) : undefined
  } catch {
    return undefined
  }
}

/**
 * The arguments as one JSON object when `args` is not one but can be made one; undefined when `args` is
 * fine as it is, or cannot be repaired (then the client gets it unchanged). Called once per completed call.
 */
export function repairArguments(args: string): string | undefined {
  // A call without arguments: clients parse `{}`, not ''.
  if (args.trim() === '') return '{}'
  const parsed = objectOf(args)
  if (isPlainObject(parsed)) return undefined
  // The object encoded twice (a JSON string holding JSON): unwrapped.
  if (typeof parsed === 'string') return isPlainObject(objectOf(parsed)) ? parsed : undefined
  let repaired: string
  try {
    repaired = jsonrepair(args)
  } catch {
    return undefined
  }
  return isPlainObject(objectOf(repaired)) ? repaired : undefined
}

/** Arguments as a tool call carries them (a JSON string), from whatever a text tool call held. */
export function argumentsText(value: unknown): string {
  if (value === undefined || value === null) return '{}'
  if (typeof value !== 'string') return JSON.stringify(value)
  return repairArguments(value) ?? value
}
