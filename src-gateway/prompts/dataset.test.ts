import { describe, expect, it } from 'vitest'
import { GatewayError } from '../core/errors.js'
import { datasetColumns, parseCsv, parseJsonl } from './dataset.js'

describe('dataset parsing', () => {
  it('reads CSV with quotes, doubled quotes, embedded commas and line breaks, CRLF, BOM and blank lines', () => {
    const text = '\ufeffq,expected\r\n"refund, please","say ""sorry""\nthen help"\r\n\r\nplain,x\n'
    expect(parseCsv(text)).toEqual([
      { q: 'refund, please', expected: 'say "sorry"\nthen help' },
      { q: 'plain', expected: 'x' },
    ])
    expect(parseCsv('a,b\n1,2')).toEqual([{ a: '1', b: '2' }])
    expect(parseCsv('')).toEqual([])
  })

  it('rejects ragged rows, duplicate columns and unclosed quotes with the place', () => {
    expect(() => parseCsv('a,b\n1')).toThrow(/row 2 has 1 fields, the header has 2/)
    expect(() => parseCsv('a,a\n1,2')).toThrow(/column 'a' appears twice/)
    expect(() => parseCsv('a\n"open')).toThrow(GatewayError)
  })

  it('reads JSONL objects, skipping blank lines, and names the bad line', () => {
    expect(parseJsonl('{"q":"a","n":1}\n\n{"q":"b"}\r\n')).toEqual([{ q: 'a', n: 1 }, { q: 'b' }])
    expect(() => parseJsonl('{"q":1}\n[1]')).toThrow(/line 2 is not an object/)
    expect(() => parseJsonl('{oops')).toThrow(/line 1 is not JSON/)
  })

  it('lists columns in order of first appearance', () => {
    expect(datasetColumns([{ a: 1 }, { b: 2, a: 3 }])).toEqual(['a', 'b'])
  })
})
