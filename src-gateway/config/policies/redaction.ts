import {
  BUILTIN_ENTITY_TYPES,
  type EntityType,
  type RedactionConfig,
  RedactionConfigSchema,
  type RedactionMode,
  type RedactionOverride,
  RedactionOverrideSchema,
} from '../../../src-shared/contract/policies.js'
import { compileSafeRegex, type SafeRegex, UnsupportedRegexError } from '../../core/safe-regex.js'
import { schemaProblemLines } from '../schema-problems.js'

/** The `redaction:` section's schemas are the admin contract's; here, what a schema cannot check. */
export {
  BUILTIN_ENTITY_TYPES,
  type EntityType,
  type RedactionConfig,
  RedactionConfigSchema,
  type RedactionMode,
  type RedactionOverride,
  RedactionOverrideSchema,
}

const configProblems = schemaProblemLines(RedactionConfigSchema)
const overrideProblems = schemaProblemLines(RedactionOverrideSchema)

/** Why a custom pattern cannot be used, or undefined when it can. */
export function customPatternProblem(c: { pattern: string; flags?: string }): string | undefined {
  let pattern: SafeRegex
  try {
    pattern = compileSafeRegex(c.pattern, c.flags)
  } catch (error) {
    if (!(error instanceof UnsupportedRegexError)) throw error
    return `is not a valid regular expression: ${error.message}`
  }
  // A pattern matching nothing would replace nothing and say so in every log row.
  if (pattern.test('')) return 'matches the empty string'
  return undefined
}

/** The schema cannot tell whether a pattern compiles. */
function patternProblems(cfg: RedactionOverride, path: string): string[] {
  return (cfg.custom ?? []).flatMap((c, i) => {
    const problem = customPatternProblem(c)
    return problem ? [`${path}/custom/${i}/pattern: ${problem}`] : []
  })
}

/** Everything wrong with a `redaction:` section found at `path` (a JSON pointer); empty when valid. */
export function validateRedaction(cfg: unknown, path: string): string[] {
  const problems = configProblems(cfg, path)
  return problems.length > 0 ? problems : patternProblems(cfg as RedactionConfig, path)
}

/** Everything wrong with a route's or key's redaction override at `path`; empty when valid. */
export function validateRedactionOverride(override: unknown, path: string): string[] {
  const problems = overrideProblems(override, path)
  return problems.length > 0 ? problems : patternProblems(override as RedactionOverride, path)
}

/**
 * The redaction of one call: the gateway's section with an override (a route's, then a key's) laid
 * over it field by field. A field an override sets replaces the gateway's, lists included, so a key can
 * narrow `detect` as well as widen it. Without any section the mode is `off`.
 */
export function mergeRedaction(
  base: RedactionConfig | undefined,
  override: RedactionOverride | undefined,
): RedactionConfig | undefined {
  if (!override) return base
  const merged: RedactionConfig = { ...base, mode: base?.mode ?? 'off' }
  if (override.mode !== undefined) merged.mode = override.mode
  if (override.detect !== undefined) merged.detect = override.detect
  if (override.custom !== undefined) merged.custom = override.custom
  if (override.skipFields !== undefined) merged.skipFields = override.skipFields
  return merged
}
