import { describe, expect, it } from 'vitest'
import { declaresNoParameters, toGeminiSchema } from './schema.js'

describe('toGeminiSchema (pitfall P13)', () => {
  it('drops keywords outside the OpenAPI subset, recursively', () => {
    expect(
      toGeminiSchema({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        additionalProperties: false,
        propertyNames: { pattern: '^[a-z]+$' },
        properties: {
          n: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 10, default: 1, examples: [2] },
          tags: { type: 'array', items: { type: 'string', format: 'uri' }, uniqueItems: true, minItems: 1 },
          when: { type: 'string', format: 'date-time' },
        },
      }),
    ).toEqual({
      type: 'object',
      properties: {
        n: { type: 'number' },
        tags: { type: 'array', items: { type: 'string' }, minItems: 1 },
        when: { type: 'string', format: 'date-time' },
      },
    })
  })

  it('turns const into a one-value enum and type lists into nullable or anyOf', () => {
    expect(toGeminiSchema({ const: 'fixed', description: 'd' })).toEqual({ enum: ['fixed'], description: 'd' })
    expect(toGeminiSchema({ type: ['integer', 'null'] })).toEqual({ type: 'integer', nullable: true })
    expect(toGeminiSchema({ type: ['string', 'number'] })).toEqual({ anyOf: [{ type: 'string' }, { type: 'number' }] })
  })

  it('folds a null branch of anyOf/oneOf into nullable and inlines a single remaining branch', () => {
    expect(toGeminiSchema({ anyOf: [{ type: 'string', maxLength: 3 }, { type: 'null' }], description: 'x' })).toEqual({
      type: 'string',
      maxLength: 3,
      nullable: true,
      description: 'x',
    })
    expect(toGeminiSchema({ oneOf: [{ type: 'string' }, { type: 'integer', additionalProperties: 1 }] })).toEqual({
      anyOf: [{ type: 'string' }, { type: 'integer' }],
    })
  })

  it('inlines $ref from $defs and definitions, keeping sibling descriptions', () => {
    const schema = {
      type: 'object',
      properties: {
        home: { $ref: '#/$defs/Address', description: 'Home address' },
        work: { $ref: '#/definitions/Address' },
      },
      $defs: { Address: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
      definitions: { Address: { type: 'object', properties: { street: { type: 'string' } } } },
    }
    expect(toGeminiSchema(schema)).toEqual({
      type: 'object',
      properties: {
        home: {
          type: 'object',
          description: 'Home address',
          properties: { city: { type: 'string' } },
          required: ['city'],
        },
        work: { type: 'object', properties: { street: { type: 'string' } } },
      },
    })
  })

  it('stops at a recursive $ref instead of looping', () => {
    const tree = {
      $ref: '#/$defs/Node',
      $defs: { Node: { type: 'object', properties: { child: { $ref: '#/$defs/Node' }, name: { type: 'string' } } } },
    }
    expect(toGeminiSchema(tree)).toEqual({
      type: 'object',
      properties: { child: { type: 'object' }, name: { type: 'string' } },
    })
  })

  it('merges allOf and keeps only required names that exist', () => {
    expect(
      toGeminiSchema({
        allOf: [
          { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
          { properties: { b: { type: 'integer' } }, required: ['b', 'ghost'] },
        ],
      }),
    ).toEqual({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } }, required: ['a', 'b'] })
  })

  it('omits empty properties, and reports a schema that declares no parameters', () => {
    const empty = toGeminiSchema({ type: 'object', properties: {}, required: [] })
    expect(empty).toEqual({ type: 'object' })
    expect(declaresNoParameters(empty)).toBe(true)
    expect(declaresNoParameters(toGeminiSchema({ type: 'object', properties: { a: { type: 'string' } } }))).toBe(false)
  })
})
