import { compileChecker, errorMessage } from '../../config/schema-problems.js'

// The whole answer may sit in one Markdown code fence (```json … ```), as chat models often write it.
const FENCED = /^\s*```[\w-]*[^\S\n]*\n([\s\S]*?)\n?[^\S\n]*```\s*$/

/** The text a JSON check parses: the fence's content when the answer is one fenced block. */
export function unfence(text: string): string {
  return FENCED.exec(text)?.[1] ?? text
}

/** Checks answers against one schema; answers why an answer fails, or undefined when it passes. */
export function compileJsonOutputCheck(schema: Record<string, unknown>): (text: string) => string | undefined {
  const validator = compileChecker(schema)
  return (text) => {
    let value: unknown
    try {
      value = JSON.parse(unfence(text))
    } catch (err) {
      return `output is not JSON: ${(err as Error).message}`
    }
    if (validator.Check(value)) return undefined
    const errors = [...validator.Errors(value)]
    const e = errors.find((x) => x.keyword !== 'anyOf') ?? errors[0]
    return `output is not valid JSON for the schema: ${e?.instancePath || '/'} ${e ? errorMessage(e) : 'does not match'}`
  }
}
