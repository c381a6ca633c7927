import { type Static, type TSchema, Type } from 'typebox'
import { isPlainObject } from '../../core/json-values.js'
import { compileSafeRegex, type SafeRegex, UnsupportedRegexError } from '../../core/safe-regex.js'
import { type ConfigProblem, schemaProblems } from '../schema-problems.js'
import { jsonSchemaProblems } from './json-schema.js'

/** What a check does when it fires: refuse the call, let it through marked, or only record it. */
export const GuardrailActionSchema = Type.Union([Type.Literal('block'), Type.Literal('flag'), Type.Literal('log')])
export type GuardrailAction = Static<typeof GuardrailActionSchema>

const common = {
  /** Shown in logs and stats; defaults to the type, and must be unique within a stage. */
  name: Type.Optional(Type.String({ minLength: 1 })),
  /** Defaults to 'block'. */
  action: Type.Optional(GuardrailActionSchema),
}
const strict = { additionalProperties: false } as const

export const MaxTokensCheckSchema = Type.Object(
  { type: Type.Literal('max_tokens'), max: Type.Integer({ minimum: 1 }), ...common },
  strict,
)
export const BlockedPatternsCheckSchema = Type.Object(
  {
    type: Type.Literal('blocked_patterns'),
    /** Regex sources in JavaScript syntax, run on RE2 (no lookaround or backreferences), case-insensitive unless `caseSensitive`. */
    patterns: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    caseSensitive: Type.Optional(Type.Boolean()),
    ...common,
  },
  strict,
)
export const PromptInjectionCheckSchema = Type.Object(
  {
    type: Type.Literal('prompt_injection'),
    /** Fires at scores ≥ threshold; defaults to 0.5. */
    threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    ...common,
  },
  strict,
)
export const JsonSchemaCheckSchema = Type.Object(
  {
    type: Type.Literal('json_schema'),
    schema: Type.Record(Type.String(), Type.Unknown()),
    /** Extra calls to make when an answer fails the schema, whatever the action; defaults to 1. */
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 3 })),
    ...common,
  },
  strict,
)

export const InputCheckSchema = Type.Union([
  MaxTokensCheckSchema,
  BlockedPatternsCheckSchema,
  PromptInjectionCheckSchema,
])
export const OutputCheckSchema = Type.Union([MaxTokensCheckSchema, BlockedPatternsCheckSchema, JsonSchemaCheckSchema])

/** A route's guardrails: checks on what the caller sends, and on what the model answers. */
export const GuardrailsConfigSchema = Type.Object(
  { input: Type.Optional(Type.Array(InputCheckSchema)), output: Type.Optional(Type.Array(OutputCheckSchema)) },
  strict,
)
export type GuardrailsConfig = Static<typeof GuardrailsConfigSchema>
export type InputCheck = Static<typeof InputCheckSchema>
export type OutputCheck = Static<typeof OutputCheckSchema>

export const DEFAULT_ACTION: GuardrailAction = 'block'
export const DEFAULT_INJECTION_THRESHOLD = 0.5
export const DEFAULT_SCHEMA_RETRIES = 1

/**
 * Blocked patterns are compiled the same way everywhere (validation, whole texts and streams), on RE2:
 * they read every prompt and answer, so they must run in linear time whatever an admin writes.
 */
export function compileBlockedPattern(source: string, caseSensitive: boolean | undefined): SafeRegex {
  return compileSafeRegex(source, caseSensitive ? '' : 'i')
}

const CHECKS = {
  max_tokens: MaxTokensCheckSchema,
  blocked_patterns: BlockedPatternsCheckSchema,
  prompt_injection: PromptInjectionCheckSchema,
  json_schema: JsonSchemaCheckSchema,
} satisfies Record<string, TSchema>
type CheckType = keyof typeof CHECKS

const STAGE_TYPES: Record<'input' | 'output', CheckType[]> = {
  input: ['max_tokens', 'blocked_patterns', 'prompt_injection'],
  output: ['max_tokens', 'blocked_patterns', 'json_schema'],
}

// Checked one type at a time: a union's errors would name every member ("must match a schema in anyOf").
let listers: Record<CheckType, ReturnType<typeof schemaProblems>> | undefined
const problemsOf = (type: CheckType) => {
  listers ??= Object.fromEntries(Object.entries(CHECKS).map(([t, schema]) => [t, schemaProblems(schema)])) as Record<
    CheckType,
    ReturnType<typeof schemaProblems>
  >
  return listers[type]
}

function patternProblems(patterns: string[], caseSensitive: boolean | undefined, at: string): ConfigProblem[] {
  const out: ConfigProblem[] = []
  patterns.forEach((source, i) => {
    let re: SafeRegex
    try {
      re = compileBlockedPattern(source, caseSensitive)
    } catch (err) {
      if (!(err instanceof UnsupportedRegexError)) throw err
      out.push({ path: `${at}/patterns/${i}`, message: `is not a valid regex: ${err.message}` })
      return
    }
    if (re.test(''))
      out.push({ path: `${at}/patterns/${i}`, message: 'matches empty text, so it would match everything' })
  })
  return out
}

function checkProblems(stage: 'input' | 'output', check: unknown, at: string): ConfigProblem[] {
  const allowed = STAGE_TYPES[stage]
  if (!isPlainObject(check)) return [{ path: at, message: `must be an object with a type (${allowed.join(', ')})` }]
  const type = check.type
  if (typeof type !== 'string' || !(type in CHECKS))
    return [{ path: `${at}/type`, message: `must be one of ${allowed.join(', ')}` }]
  if (!allowed.includes(type as CheckType))
    return [{ path: `${at}/type`, message: `'${type}' checks apply to ${stage === 'input' ? 'output' : 'input'} only` }]
  const shape = problemsOf(type as CheckType)(check, at)
  if (shape.length > 0) return shape
  const c = check as InputCheck | OutputCheck
  if (c.type === 'blocked_patterns') return patternProblems(c.patterns, c.caseSensitive, at)
  if (c.type === 'json_schema')
    return jsonSchemaProblems(c.schema).map((p) => ({ path: `${at}/schema${p.path}`, message: p.message }))
  return []
}

/**
 * Everything wrong with a route's `guardrails` block, each located by JSON pointer under `path` (e.g.
 * `/routes/fast/guardrails`): the shape, checks on the wrong stage, duplicate names, regexes that do not
 * compile or match empty text, and JSON schemas that are not valid JSON Schema (2020-12) or have dangling
 * `$ref`s. An empty list means `compileGuardrails` will accept it.
 */
export function validateGuardrails(config: unknown, path = ''): ConfigProblem[] {
  if (config === undefined) return []
  if (!isPlainObject(config))
    return [{ path: path || '/', message: 'must be an object with input and/or output checks' }]
  const out: ConfigProblem[] = []
  for (const key of Object.keys(config)) {
    if (key !== 'input' && key !== 'output') out.push({ path: `${path}/${key}`, message: 'is not a known field' })
  }
  for (const stage of ['input', 'output'] as const) {
    const checks = config[stage]
    if (checks === undefined) continue
    if (!Array.isArray(checks)) {
      out.push({ path: `${path}/${stage}`, message: 'must be a list of checks' })
      continue
    }
    // Logs and stats count hits by name: two checks sharing one would be counted as one.
    const names = new Set<string>()
    checks.forEach((check, i) => {
      const at = `${path}/${stage}/${i}`
      const problems = checkProblems(stage, check, at)
      out.push(...problems)
      if (problems.length > 0) return
      const c = check as InputCheck | OutputCheck
      const name = c.name ?? c.type
      if (names.has(name))
        out.push({
          path: `${at}/name`,
          message: `'${name}' is already used by another ${stage} check; give each a name`,
        })
      names.add(name)
    })
  }
  return out
}
