import { describe, expect, it } from 'vitest'
import { type Assertion, evaluateAll, evaluateAssertion } from './assertions.js'
import { graderMessages, parseGrade } from './llm-rubric.js'

const facts = (output: string, extra: Partial<{ latencyMs: number; costUsd: number | null }> = {}) => ({
  output,
  vars: { expected: 'Refund', n: 2 },
  latencyMs: 120,
  costUsd: 0.002,
  ...extra,
})
const noGrader = async () => {
  throw new Error('no grader in this test')
}
const check = async (a: Assertion, output: string, extra = {}) =>
  (await evaluateAssertion(a, facts(output, extra), noGrader)).pass

describe('assertions', () => {
  it('compares text: equals (trimmed), contains, icontains, regex with flags, and row variables', async () => {
    expect(await check({ type: 'equals', value: 'ok' }, ' ok\n')).toBe(true)
    expect(await check({ type: 'equals', value: 'ok' }, 'okay')).toBe(false)
    expect(await check({ type: 'contains', value: '{{expected}}' }, 'a Refund now')).toBe(true)
    expect(await check({ type: 'contains', value: '{{expected}}' }, 'a refund now')).toBe(false)
    expect(await check({ type: 'icontains', value: '{{expected}}' }, 'a REFUND now')).toBe(true)
    expect(await check({ type: 'regex', value: '/^a\\s+refund/i' }, 'A  refund')).toBe(true)
    expect(await check({ type: 'regex', value: '^\\d+$' }, '12x')).toBe(false)
    const broken = await evaluateAssertion({ type: 'regex', value: '(' }, facts('x'), noGrader)
    expect(broken).toMatchObject({ pass: false, reason: expect.stringMatching(/invalid regex/) })
  })

  it('checks JSON and JSON schema with the failing path', async () => {
    expect(await check({ type: 'is-json' }, '{"a":1}')).toBe(true)
    expect(await check({ type: 'is-json' }, 'Echo: {')).toBe(false)
    const schema = { type: 'object', properties: { a: { type: 'integer' } }, required: ['a'] }
    expect(await check({ type: 'json-schema', value: schema }, '{"a":1}')).toBe(true)
    const res = await evaluateAssertion({ type: 'json-schema', value: schema }, facts('{"a":"x"}'), noGrader)
    expect(res).toMatchObject({ pass: false, reason: expect.stringContaining('/a') })
  })

  it('runs javascript expressions sandboxed: booleans, scores, no require or process, timeouts', async () => {
    expect(await check({ type: 'javascript', value: 'output.length > 3 && vars.n === 2' }, 'long')).toBe(true)
    expect(await check({ type: 'javascript', value: 'json.a === 1' }, '{"a":1}')).toBe(true)
    const scored = await evaluateAssertion({ type: 'javascript', value: '0.25' }, facts('x'), noGrader)
    expect(scored).toMatchObject({ pass: false, score: 0.25 })
    for (const attempt of [
      "require('fs')",
      'process.exit(1)',
      "vars.constructor.constructor('return process')()",
      "output.constructor.constructor('return process')()",
      "eval('1 + 1') === 2",
    ]) {
      const r = await evaluateAssertion({ type: 'javascript', value: attempt }, facts('x'), noGrader)
      expect(r.pass).toBe(false)
      expect(r.reason).toMatch(/expression failed/)
    }
    const loop = await evaluateAssertion({ type: 'javascript', value: '(() => { for (;;); })()' }, facts('x'), noGrader)
    expect(loop.reason).toMatch(/timed out/)
    const huge = await evaluateAssertion({ type: 'javascript', value: 'true' }, facts('x'.repeat(5_000_000)), noGrader)
    expect(huge).toMatchObject({ pass: false, reason: expect.stringMatching(/inputs are too large/) })
  })

  it('checks cost and latency limits, and an unknown cost fails max-cost', async () => {
    expect(await check({ type: 'max-cost', value: 0.01 }, 'x')).toBe(true)
    expect(await check({ type: 'max-cost', value: 0.001 }, 'x')).toBe(false)
    expect(await check({ type: 'max-cost', value: 1 }, 'x', { costUsd: null })).toBe(false)
    expect(await check({ type: 'max-latency', value: 100 }, 'x')).toBe(false)
    expect(await check({ type: 'max-latency', value: 500 }, 'x')).toBe(true)
  })

  it('grades llm-rubric through the grader and reads a verdict wrapped in prose', async () => {
    const seen: string[] = []
    const grader = async (rubric: string, output: string, model: string | undefined) => {
      seen.push(`${model}|${rubric}|${output}`)
      return 'Sure! ```json\n{"reason": "uses {braces}", "pass": true, "score": 0.8}\n```'
    }
    const r = await evaluateAssertion(
      { type: 'llm-rubric', value: 'mentions {{expected}}', model: 'judge' },
      facts('out'),
      grader,
    )
    expect(r).toEqual({ type: 'llm-rubric', pass: true, score: 0.8, reason: 'uses {braces}' })
    expect(seen).toEqual(['judge|mentions Refund|out'])
    const none = await evaluateAssertion({ type: 'llm-rubric', value: 'x' }, facts('o'), async () => 'looks fine')
    expect(none).toMatchObject({ pass: false, reason: expect.stringMatching(/no verdict/) })
  })

  it('parses grades and builds the grader prompt', () => {
    expect(parseGrade('{"pass": "yes"} then {"pass": false}')).toEqual({ pass: false, score: 0, reason: '' })
    expect(parseGrade('{"pass": true, "score": 7}')?.score).toBe(1)
    expect(parseGrade('no json')).toBeNull()
    expect(graderMessages('R', 'O')[1].content).toBe('Rubric:\nR\n\nOutput:\nO')
  })

  it('passes a cell only when every assertion passes and averages the scores', async () => {
    const out = await evaluateAll(
      [
        { type: 'contains', value: 'a' },
        { type: 'contains', value: 'z' },
      ],
      facts('abc'),
      noGrader,
    )
    expect(out).toMatchObject({ pass: false, score: 0.5 })
    expect((await evaluateAll([], facts(''), noGrader)).pass).toBe(true)
  })
})
