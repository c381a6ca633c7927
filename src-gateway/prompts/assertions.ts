import { Compile } from 'typebox/compile'
import { type Assertion, type AssertionResult, AssertionSchema } from '../../src-shared/contract/prompts.js'
import { compileSafeRegex, type SafeRegex } from '../core/safe-regex.js'
import { evaluateExpression } from './js-expression.js'
import { type Grade, parseGrade } from './llm-rubric.js'
import { renderText } from './template.js'
import type { Variables } from './types.js'

/** The assertion kinds are the admin contract's; here, how each is checked. */
export { type Assertion, type AssertionResult, AssertionSchema }

/** What a finished cell offers to its assertions. */
export interface CellFacts {
  output: string
  vars: Variables
  latencyMs: number
  costUsd: number | null
}

/** Asks a model (through the gateway) to grade an output against a rubric; resolves with its reply text. */
export type Grader = (rubric: string, output: string, model: string | undefined) => Promise<string>

const result = (type: Assertion['type'], pass: boolean, reason: string, score = pass ? 1 : 0): AssertionResult => ({
  type,
  pass,
  score,
  reason,
})

function parseJson(output: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(output) }
  } catch (err) {
    return { ok: false, error: (err as Error).message }
  }
}

/** `/pattern/flags` or a bare pattern, on the linear-time engine: a model's output is untrusted text. */
function toRegExp(source: string): SafeRegex {
  const m = /^\/(.*)\/([dgimsuvy]*)$/s.exec(source)
  return m ? compileSafeRegex(m[1], m[2]) : compileSafeRegex(source)
}

const short = (s: string, n = 80) => (s.length > n ? `${s.slice(0, n)}…` : s)

const schemaCache = new WeakMap<object, ReturnType<typeof Compile>>()

function checkSchema(schema: Record<string, unknown>, value: unknown): string | null {
  let validator = schemaCache.get(schema)
  if (!validator) {
    validator = Compile(schema as never)
    schemaCache.set(schema, validator)
  }
  if (validator.Check(value)) return null
  const e = [...validator.Errors(value)][0]
  return `${e?.instancePath || '/'} ${e?.message ?? 'does not match the schema'}`
}

/** Scores: a boolean passes or fails; a number is a score in [0, 1] that passes from 0.5 up. */
function fromExpression(value: unknown): AssertionResult {
  if (typeof value === 'boolean')
    return result('javascript', value, value ? 'expression is true' : 'expression is false')
  if (typeof value === 'number' && Number.isFinite(value)) {
    const score = Math.min(1, Math.max(0, value))
    return result('javascript', score >= 0.5, `expression scored ${value}`, score)
  }
  return result(
    'javascript',
    false,
    `expression returned ${JSON.stringify(value) ?? 'undefined'}, not a boolean or number`,
  )
}

export async function evaluateAssertion(a: Assertion, facts: CellFacts, grade: Grader): Promise<AssertionResult> {
  const { output } = facts
  // Expected values may name row variables, so one assertion serves every row.
  const expected = 'value' in a && typeof a.value === 'string' ? renderText(a.value, facts.vars) : ''
  switch (a.type) {
    case 'equals':
      return result(a.type, output.trim() === expected.trim(), `expected exactly "${short(expected)}"`)
    case 'contains':
      return result(a.type, output.includes(expected), `expected to contain "${short(expected)}"`)
    case 'icontains':
      return result(
        a.type,
        output.toLowerCase().includes(expected.toLowerCase()),
        `expected to contain "${short(expected)}" (any case)`,
      )
    case 'regex': {
      try {
        return result(a.type, toRegExp(expected).test(output), `expected to match ${short(expected)}`)
      } catch (err) {
        return result(a.type, false, `invalid regex: ${(err as Error).message}`)
      }
    }
    case 'is-json': {
      const parsed = parseJson(output)
      return result(a.type, parsed.ok, parsed.ok ? 'valid JSON' : `not JSON: ${parsed.error}`)
    }
    case 'json-schema': {
      const parsed = parseJson(output)
      if (!parsed.ok) return result(a.type, false, `not JSON: ${parsed.error}`)
      try {
        const problem = checkSchema(a.value, parsed.value)
        return result(a.type, problem === null, problem ?? 'matches the schema')
      } catch (err) {
        return result(a.type, false, `invalid schema: ${(err as Error).message}`)
      }
    }
    case 'javascript': {
      const parsed = parseJson(output)
      try {
        return fromExpression(
          await evaluateExpression(a.value, {
            output,
            vars: facts.vars,
            json: parsed.ok ? parsed.value : null,
            latencyMs: facts.latencyMs,
            costUsd: facts.costUsd,
          }),
        )
      } catch (err) {
        return result(a.type, false, `expression failed: ${(err as Error).message}`)
      }
    }
    case 'max-cost':
      if (facts.costUsd === null) return result(a.type, false, 'cost unknown (no price for this model)')
      return result(a.type, facts.costUsd <= a.value, `cost $${facts.costUsd.toPrecision(3)} vs max $${a.value}`)
    case 'max-latency':
      return result(
        a.type,
        facts.latencyMs <= a.value,
        `latency ${Math.round(facts.latencyMs)} ms vs max ${a.value} ms`,
      )
    case 'llm-rubric': {
      let verdict: Grade | null
      let reply: string
      try {
        reply = await grade(renderText(a.value, facts.vars), output, a.model)
        verdict = parseGrade(reply)
      } catch (err) {
        return result(a.type, false, `grader failed: ${(err as Error).message}`)
      }
      if (!verdict) return result(a.type, false, `grader reply had no verdict: "${short(reply)}"`)
      return result(a.type, verdict.pass, verdict.reason || 'graded', verdict.score)
    }
  }
}

/** A cell passes when every assertion does; its score is their mean (1 with no assertions). */
export async function evaluateAll(
  assertions: readonly Assertion[],
  facts: CellFacts,
  grade: Grader,
): Promise<{ pass: boolean; score: number; results: AssertionResult[] }> {
  const results: AssertionResult[] = []
  for (const a of assertions) results.push(await evaluateAssertion(a, facts, grade))
  const score = results.length ? results.reduce((s, r) => s + r.score, 0) / results.length : 1
  return { pass: results.every((r) => r.pass), score, results }
}
