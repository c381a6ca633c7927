import { Compile } from 'typebox/compile'
import { describe, expect, it } from 'vitest'
import { GuardrailsConfigSchema, validateGuardrails } from './guardrails.js'

const at = '/routes/fast/guardrails'
const problems = (config: unknown) => validateGuardrails(config, at)

describe('validateGuardrails', () => {
  it('accepts a full config, and none at all', () => {
    const config = {
      input: [
        { type: 'max_tokens', max: 8000 },
        { type: 'blocked_patterns', name: 'codenames', patterns: ['project \\w+', '\\bfalcon\\b'], action: 'flag' },
        { type: 'prompt_injection', threshold: 0.7, action: 'log' },
      ],
      output: [
        { type: 'max_tokens', max: 500, action: 'flag' },
        { type: 'blocked_patterns', patterns: ['internal-\\d+'], caseSensitive: true },
        { type: 'json_schema', schema: { type: 'object', required: ['name'] }, retries: 2 },
      ],
    }
    expect(problems(config)).toEqual([])
    expect(Compile(GuardrailsConfigSchema).Check(config)).toBe(true)
    expect(problems(undefined)).toEqual([])
    expect(problems({})).toEqual([])
  })

  it('reports a regex that does not compile, at its path', () => {
    expect(problems({ input: [{ type: 'blocked_patterns', patterns: ['ok', '(unclosed'] }] })).toEqual([
      { path: `${at}/input/0/patterns/1`, message: 'is not a valid regex: missing closing )' },
    ])
  })

  it('refuses lookaround and backreferences, which the linear-time engine cannot run', () => {
    expect(problems({ output: [{ type: 'blocked_patterns', patterns: ['pass(?!word)', '(a)\\1'] }] })).toEqual([
      { path: `${at}/output/0/patterns/0`, message: expect.stringMatching(/^is not a valid regex: uses lookaround/) },
      {
        path: `${at}/output/0/patterns/1`,
        message: expect.stringMatching(/^is not a valid regex: uses a backreference/),
      },
    ])
  })

  it('reports a regex that matches empty text', () => {
    expect(problems({ output: [{ type: 'blocked_patterns', patterns: ['x*'] }] })).toEqual([
      { path: `${at}/output/0/patterns/0`, message: 'matches empty text, so it would match everything' },
    ])
  })

  it.each([
    [{ type: 'strin' }, '/type', 'must be one of array, boolean, integer, null, number, object, string'],
    [
      { type: 'object', properties: { a: { type: 'number', minimum: 'zero' } } },
      '/properties/a/minimum',
      'must be number',
    ],
    [{ type: 'object', required: 'name' }, '/required', 'must be array'],
    [{ type: 'string', pattern: '(' }, '/pattern', 'must match format "regex"'],
    [{ items: { $ref: '#/$defs/missing' } }, '/items/$ref', "'#/$defs/missing' does not point into the schema"],
    [
      { $ref: 'https://example.com/s.json' },
      '/$ref',
      "'https://example.com/s.json' must be a local JSON pointer such as #/$defs/name",
    ],
  ])('reports a bad JSON schema %j', (schema, path, message) => {
    expect(problems({ output: [{ type: 'json_schema', schema }] })).toEqual([
      { path: `${at}/output/0/schema${path}`, message },
    ])
  })

  it('keeps input-only and output-only checks on their stage', () => {
    expect(problems({ input: [{ type: 'json_schema', schema: {} }], output: [{ type: 'prompt_injection' }] })).toEqual([
      { path: `${at}/input/0/type`, message: "'json_schema' checks apply to output only" },
      { path: `${at}/output/0/type`, message: "'prompt_injection' checks apply to input only" },
    ])
  })

  it('reports shape errors field by field', () => {
    expect(
      problems({
        input: [
          { type: 'max_tokens' },
          { type: 'prompt_injection', threshold: 2, action: 'deny', extra: 1 },
          { type: 'regex' },
          'max_tokens',
        ],
        output: { type: 'max_tokens', max: 1 },
        stages: [],
      }),
    ).toEqual([
      { path: `${at}/stages`, message: 'is not a known field' },
      { path: `${at}/input/0/max`, message: 'is required' },
      { path: `${at}/input/1/extra`, message: 'is not a known field' },
      { path: `${at}/input/1/threshold`, message: 'must be <= 1' },
      { path: `${at}/input/1/action`, message: 'must be one of block, flag, log' },
      { path: `${at}/input/2/type`, message: 'must be one of max_tokens, blocked_patterns, prompt_injection' },
      {
        path: `${at}/input/3`,
        message: 'must be an object with a type (max_tokens, blocked_patterns, prompt_injection)',
      },
      { path: `${at}/output`, message: 'must be a list of checks' },
    ])
    expect(problems({ output: [{ type: 'json_schema', schema: {}, retries: 4 }] })).toEqual([
      { path: `${at}/output/0/retries`, message: 'must be <= 3' },
    ])
    expect(problems('strict')).toEqual([{ path: at, message: 'must be an object with input and/or output checks' }])
  })

  it('rejects two checks of one stage under one name', () => {
    expect(
      problems({
        input: [
          { type: 'max_tokens', max: 10 },
          { type: 'max_tokens', max: 20, action: 'flag' },
        ],
        output: [{ type: 'max_tokens', max: 10 }],
      }),
    ).toEqual([
      { path: `${at}/input/1/name`, message: "'max_tokens' is already used by another input check; give each a name" },
    ])
  })
})
