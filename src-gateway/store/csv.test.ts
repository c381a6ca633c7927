import { describe, expect, it } from 'vitest'
import { csvField, csvLine } from './csv.js'

describe('csv', () => {
  it('leaves plain values bare and writes null as an empty field', () => {
    expect(csvLine(['a', 1, 0.5, true, null, undefined])).toBe('a,1,0.5,true,,\r\n')
  })

  it('quotes fields with commas, quotes or line breaks, doubling inner quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField('two\nlines')).toBe('"two\nlines"')
    expect(csvField('cr\rhere')).toBe('"cr\rhere"')
  })
})
