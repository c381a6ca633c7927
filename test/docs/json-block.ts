import { GATEWAY_SOURCES, sourceTexts } from './repo-text.js'

function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf)
  if (value === null || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)])
}

/**
 * Rule 3: a json block parses, and it shows real shapes: every field name in it is one the gateway's
 * source spells (a response or request body the gateway reads or writes), so no invented field survives.
 */
export function jsonBlockProblems(text: string): string[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return [`is not JSON: ${(err as Error).message}`]
  }
  const source = [...sourceTexts(GATEWAY_SOURCES).values()].join('\n')
  return [...new Set(keysOf(value))]
    .filter((key) => !source.includes(key))
    .map((key) => `field "${key}" appears nowhere in the gateway's source`)
}
