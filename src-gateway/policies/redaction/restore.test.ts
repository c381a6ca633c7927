import { describe, expect, it } from 'vitest'
import { createStreamRestorer, restoreDeep, restoreText, type Vault } from './restore.js'

const vault: Vault = new Map([
  ['[EMAIL_1]', 'john@example.com'],
  ['[EMAIL_12]', 'ann@example.org'],
  ['[CREDIT_CARD_1]', '4111 1111 1111 1111'],
])

/** Streams `pieces` through a fresh restorer and answers everything it emitted, flush included. */
function stream(pieces: string[], v: Vault = vault): { out: string; emitted: string[] } {
  const r = createStreamRestorer(v)
  const emitted = pieces.map((p) => r.push(p))
  emitted.push(r.flush())
  return { out: emitted.join(''), emitted }
}

/** Splits `text` at the given ascending positions. */
const splitAt = (text: string, cuts: number[]) => [0, ...cuts].map((c, i) => text.slice(c, [...cuts, text.length][i]))

describe('restoreText', () => {
  it('puts originals back and leaves other bracketed text alone', () => {
    expect(restoreText('To [EMAIL_1], cc [EMAIL_12] [EMAIL_2] [NOT_A_PLACEHOLDER] [x] [', vault)).toBe(
      'To john@example.com, cc ann@example.org [EMAIL_2] [NOT_A_PLACEHOLDER] [x] [',
    )
  })

  it('in JSON text escapes originals with quotes or line breaks, and only those', () => {
    const pem = new Map([
      ['[API_KEY_1]', '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----'],
      ['[API_KEY_2]', '-----BEGIN PRIVATE KEY-----\\nMIIB\\n-----END PRIVATE KEY-----'],
      ['[EMAIL_1]', 'a@b.io'],
    ])
    const args = restoreText('{"a":"[API_KEY_1]","b":"[API_KEY_2]","c":"[EMAIL_1]"}', pem, { json: true })
    expect(JSON.parse(args)).toEqual({
      a: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----',
      b: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----',
      c: 'a@b.io',
    })
  })
})

describe('restoreDeep', () => {
  it('restores every string of a response, copy-on-write, with JSON-safe tool-call arguments', () => {
    const multiline = new Map([['[API_KEY_1]', 'line1\nline2 "quoted"']])
    const usage = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }
    const response = {
      id: 'chatcmpl-1',
      usage,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Key: [API_KEY_1]',
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{"k":"[API_KEY_1]"}' } }],
          },
        },
      ],
    }
    const before = structuredClone(response)
    const out = restoreDeep(response, multiline)
    expect(response).toEqual(before)
    expect(out.usage).toBe(usage)
    expect(out.choices[0].message.content).toBe('Key: line1\nline2 "quoted"')
    expect(JSON.parse(out.choices[0].message.tool_calls[0].function.arguments)).toEqual({ k: 'line1\nline2 "quoted"' })
    expect(restoreDeep(response, new Map())).toBe(response)
  })

  it('leaves signed thinking blocks exactly as the model wrote them', () => {
    const message = {
      content: [
        { type: 'thinking', thinking: 'Write to [EMAIL_1]', signature: 'sig' },
        { type: 'text', text: 'Writing to [EMAIL_1]' },
      ],
    }
    const out = restoreDeep(message, vault)
    expect(out.content[0]).toBe(message.content[0])
    expect(out.content[1]).toEqual({ type: 'text', text: 'Writing to john@example.com' })
    // Ollama's thinking is plain text: restored like any other.
    expect(restoreDeep({ role: 'assistant', thinking: 'About [EMAIL_1]' }, vault).thinking).toBe(
      'About john@example.com',
    )
  })
})

describe('createStreamRestorer', () => {
  const text = 'Hi [EMAIL_1], your card [CREDIT_CARD_1] is on file; cc [EMAIL_12].'
  const expected = restoreText(text, vault)

  it('restores across every split into two and three pieces', () => {
    for (let i = 0; i <= text.length; i++) {
      expect(stream(splitAt(text, [i])).out, `cut at ${i}`).toBe(expected)
      for (let j = i; j <= text.length; j++) {
        expect(stream(splitAt(text, [i, j])).out, `cuts at ${i}, ${j}`).toBe(expected)
      }
    }
  })

  it('restores one character at a time and in random chunk sizes', () => {
    expect(stream([...text]).out).toBe(expected)
    let seed = 7
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    for (let round = 0; round < 200; round++) {
      const cuts: number[] = []
      for (let at = 1 + Math.floor(random() * 6); at < text.length; at += 1 + Math.floor(random() * 6)) cuts.push(at)
      expect(stream(splitAt(text, cuts)).out, `cuts ${cuts}`).toBe(expected)
    }
  })

  it('emits what cannot start a placeholder at once and holds only a possible prefix', () => {
    const { emitted } = stream(['Dear [EM', 'AIL_', '1', '], bye'])
    expect(emitted).toEqual(['Dear ', '', '', 'john@example.com, bye', ''])
    // `[EMAIL_1` could still become `[EMAIL_12]`: held until the next character decides.
    expect(stream(['x [EMAIL_1', '2] y']).emitted).toEqual(['x ', 'ann@example.org y', ''])
  })

  it('lets lone brackets and non-placeholders through unchanged, without stalling', () => {
    const plain = 'a [ b [x] [NOT_A_PLACEHOLDER] [EMAIL_9] arr[0] ['
    expect(stream([...plain]).out).toBe(plain)
    const { emitted } = stream(['see [', 'N', 'OT'])
    expect(emitted).toEqual(['see ', '[N', 'OT', ''])
    // A fragment that was a prefix when the stream ended comes out unchanged on flush.
    expect(stream(['cut [EMAIL_']).emitted).toEqual(['cut ', '[EMAIL_'])
  })

  it('holds nothing back when the vault is empty', () => {
    expect(stream(['a [', 'EMAIL_1', ']'], new Map()).emitted).toEqual(['a [', 'EMAIL_1', ']', ''])
  })

  it('in JSON mode escapes originals for the argument string', () => {
    const r = createStreamRestorer(new Map([['[API_KEY_1]', 'a\nb']]), { json: true })
    const out = [r.push('{"k":"[API_'), r.push('KEY_1]"}'), r.flush()].join('')
    expect(JSON.parse(out)).toEqual({ k: 'a\nb' })
  })
})
