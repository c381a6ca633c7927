import { describe, expect, it } from 'vitest'
import { MAX_LINE_CHARS, MAX_STDERR_LINES, Ring, StderrTail, scrubberFor } from './bounded-log.js'

describe('bounded server logs', () => {
  it('scrubs secrets, a bearer token alone included, longest first', () => {
    const scrub = scrubberFor(['Bearer tok-abcdef123456', 'abcdef', 'x'])
    expect(scrub('sent Bearer tok-abcdef123456 then tok-abcdef123456')).toBe('sent [secret] then [secret]')
    // Values under six characters are not scrubbed: `x` stays readable.
    expect(scrub('x abcdef')).toBe('x [secret]')
  })

  it('keeps the last lines, each cut, and cuts a line that never ends', () => {
    const tail = new StderrTail(scrubberFor(['secret-value-1']))
    for (let i = 0; i < MAX_STDERR_LINES + 50; i++) tail.write(`line ${i}\n`)
    tail.write(`${'y'.repeat(MAX_LINE_CHARS + 10)}\n`)
    const lines = tail.list()
    expect(lines).toHaveLength(MAX_STDERR_LINES)
    expect(lines[0]).toBe('line 51')
    expect(lines.at(-1)).toHaveLength(MAX_LINE_CHARS)
    // 10 MB without a newline: the tail stays bounded; a secret split across chunks is still scrubbed.
    for (let i = 0; i < 1000; i++) tail.write('z'.repeat(10_000))
    tail.write('\nsecret-')
    tail.write('value-1 done\n')
    expect(tail.list().every((l) => l.length <= MAX_LINE_CHARS)).toBe(true)
    expect(tail.list().at(-1)).toBe('[secret] done')
    // A secret straddling the point where an overlong line is cut never shows its second half.
    tail.write(`${'a'.repeat(MAX_LINE_CHARS * 2 - 3)}secret-`)
    tail.write('value-1 and more\nnext\n')
    expect(tail.list().join('\n')).not.toContain('value-1')
    expect(tail.list().at(-1)).toBe('next')
  })

  it('a ring keeps the newest entries', () => {
    const ring = new Ring<number>(3)
    for (let i = 0; i < 10; i++) ring.push(i)
    expect(ring.list()).toEqual([7, 8, 9])
  })
})
