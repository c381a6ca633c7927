import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../core/errors.js'
import { type BodyRedaction, createRedactor } from './redactor.js'
import { restoreDeep } from './restore.js'

const EMAIL = 'john.doe@example.com'
const CARD = '4111 1111 1111 1111'
const KEY = 'sk-proj-abc123DEF456ghi789JKL012mno'
const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='

/** Freezes a value deeply, so any write to the input throws. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

/** Redacts a frozen body, checks the input was left as it was and that something was found. */
function redact<T extends Record<string, unknown>>(mode: 'mask' | 'reversible', body: T): BodyRedaction & { body: T } {
  const before = structuredClone(body)
  const result = createRedactor({ mode }).redactBody(deepFreeze(body))
  expect(body).toEqual(before)
  if (!result) throw new Error('nothing was redacted')
  return result as BodyRedaction & { body: T }
}

describe('modes', () => {
  it('mask replaces each value with its type; reversible numbers them per type', () => {
    const text = `Mail ${EMAIL} or ann@example.org, card ${CARD}, again ${EMAIL}.`
    expect(createRedactor({ mode: 'mask' }).redactText(text)).toEqual({
      text: 'Mail [EMAIL] or [EMAIL], card [CREDIT_CARD], again [EMAIL].',
      found: { email: 3, credit_card: 1 },
      vault: undefined,
    })
    const reversible = createRedactor({ mode: 'reversible' }).redactText(text)
    expect(reversible?.text).toBe('Mail [EMAIL_1] or [EMAIL_2], card [CREDIT_CARD_1], again [EMAIL_1].')
    expect(reversible?.found).toEqual({ email: 3, credit_card: 1 })
    expect(Object.fromEntries(reversible?.vault ?? [])).toEqual({
      '[EMAIL_1]': EMAIL,
      '[EMAIL_2]': 'ann@example.org',
      '[CREDIT_CARD_1]': CARD,
    })
  })

  it('off finds nothing, and nothing found answers undefined', () => {
    expect(createRedactor({ mode: 'off' }).redactText(EMAIL)).toBeUndefined()
    expect(createRedactor({ mode: 'off' }).redactBody({ messages: [{ role: 'user', content: EMAIL }] })).toBeUndefined()
    expect(createRedactor({ mode: 'mask' }).redactText('nothing to see in v1.2.3 on 2024-05-01')).toBeUndefined()
    const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello, 42 times' }] }
    expect(createRedactor({ mode: 'reversible' }).redactBody(body)).toBeUndefined()
  })

  it('the same value gets the same placeholder across the whole body, numbering starts again per call', () => {
    const r = createRedactor({ mode: 'reversible' })
    const body = {
      messages: [
        { role: 'user', content: `I am ${EMAIL}` },
        { role: 'assistant', content: 'Noted, ann@example.org' },
        { role: 'user', content: [{ type: 'text', text: `Reply to ${EMAIL}` }] },
      ],
    }
    const first = r.redactBody(body)
    expect(first?.body).toEqual({
      messages: [
        { role: 'user', content: 'I am [EMAIL_1]' },
        { role: 'assistant', content: 'Noted, [EMAIL_2]' },
        { role: 'user', content: [{ type: 'text', text: 'Reply to [EMAIL_1]' }] },
      ],
    })
    expect(first?.found).toEqual({ email: 3 })
    const second = r.redactBody({ messages: [{ role: 'user', content: 'ann@example.org' }] })
    expect(second?.body).toEqual({ messages: [{ role: 'user', content: '[EMAIL_1]' }] })
  })

  it('detect narrows the built-ins; custom patterns and skipFields come from config', () => {
    const r = createRedactor({
      mode: 'mask',
      detect: ['email'],
      custom: [{ name: 'employee_id', pattern: 'EMP-\\d{6}' }],
      skipFields: ['user'],
    })
    const out = r.redactBody({ user: EMAIL, input: `${EMAIL} ${CARD} EMP-123456` })
    expect(out?.body).toEqual({ user: EMAIL, input: `[EMAIL] ${CARD} [EMPLOYEE_ID]` })
    expect(out?.found).toEqual({ email: 1, employee_id: 1 })
  })

  it('refuses a custom pattern that does not compile', () => {
    expect(() => createRedactor({ mode: 'mask', custom: [{ name: 'bad', pattern: '(' }] })).toThrow(GatewayError)
  })
})

describe('request bodies of every dialect', () => {
  it('OpenAI chat: text, multi-part content and tool-call arguments; ids, names and images untouched', () => {
    const body = {
      model: 'gpt-4o',
      user: EMAIL,
      stop: ['\n\nUser:'],
      tools: [
        { type: 'function', function: { name: 'send', description: `mail ${EMAIL}`, parameters: { type: 'object' } } },
      ],
      tool_choice: { type: 'function', function: { name: 'send' } },
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { default: EMAIL } } },
      messages: [
        { role: 'system', content: 'You are terse.' },
        {
          role: 'user',
          name: 'john_doe',
          content: [
            { type: 'text', text: `My card is ${CARD}` },
            { type: 'image_url', image_url: { url: PNG, detail: 'low' } },
            { type: 'image_url', image_url: { url: `https://example.com/a.png?owner=${EMAIL}` } },
            // A data: URL is an encoded payload under any key.
            { type: 'audio', audio: 'data:audio/wav;base64,b4qmVdRCNkX3FLoNUgjhlIFlCyoSqCfU' },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'send', arguments: JSON.stringify({ to: EMAIL, body: `key ${KEY}\nbye` }) },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: `sent to ${EMAIL}` },
      ],
    }
    const out = redact('reversible', body)
    const redacted = out.body
    expect(redacted.user).toBe('[EMAIL_1]')
    expect(redacted.messages[1].content).toEqual([
      { type: 'text', text: 'My card is [CREDIT_CARD_1]' },
      ...(body.messages[1].content?.slice(1) ?? []),
    ])
    const args = redacted.messages[2].tool_calls?.[0].function.arguments ?? ''
    expect(JSON.parse(args)).toEqual({ to: '[EMAIL_1]', body: 'key [API_KEY_1]\nbye' })
    expect(redacted.messages[3]).toEqual({ role: 'tool', tool_call_id: 'call_1', content: 'sent to [EMAIL_1]' })
    // Structure is shared, not copied: schemas, tools and untouched messages are the very same objects.
    for (const key of ['tools', 'tool_choice', 'response_format', 'stop'] as const)
      expect(redacted[key]).toBe(body[key])
    expect(redacted.messages[0]).toBe(body.messages[0])
    expect(out.found).toEqual({ email: 3, credit_card: 1, api_key: 1 })
    expect(restoreDeep(redacted, out.vault!)).toEqual(body)
  })

  it('Anthropic messages: system blocks, tool_use input objects and tool_result; thinking and images untouched', () => {
    const thinking = { type: 'thinking', thinking: `User is ${EMAIL}`, signature: 'EqQBCkYIAxgCIkB' }
    const redactedThinking = {
      type: 'redacted_thinking',
      data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP',
    }
    const body = {
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      metadata: { user_id: EMAIL },
      stop_sequences: [EMAIL],
      system: [{ type: 'text', text: `Support agent for ${EMAIL}`, cache_control: { type: 'ephemeral' } }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Call +44 20 7946 0958' },
            {
              type: 'image',
              source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB1234' },
            },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: `Contact ${EMAIL}` } },
          ],
        },
        {
          role: 'assistant',
          content: [
            thinking,
            redactedThinking,
            { type: 'tool_use', id: 'toolu_01', name: 'lookup', input: { phone: '+44 20 7946 0958', depth: 2 } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01', content: [{ type: 'text', text: `owner ${EMAIL}` }] },
          ],
        },
      ],
    }
    const out = redact('mask', body)
    expect(out.body).toEqual({
      ...body,
      metadata: { user_id: '[EMAIL]' },
      system: [{ type: 'text', text: 'Support agent for [EMAIL]', cache_control: { type: 'ephemeral' } }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Call [PHONE]' },
            body.messages[0].content[1],
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'Contact [EMAIL]' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            thinking,
            redactedThinking,
            { type: 'tool_use', id: 'toolu_01', name: 'lookup', input: { phone: '[PHONE]', depth: 2 } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01', content: [{ type: 'text', text: 'owner [EMAIL]' }] },
          ],
        },
      ],
    })
    const messages = out.body.messages
    expect(messages[1].content[0]).toBe(thinking)
    expect(messages[1].content[1]).toBe(redactedThinking)
    expect(out.body.stop_sequences).toBe(body.stop_sequences)
  })

  it('OpenAI Responses: instructions and input items; call ids, reasoning and files untouched', () => {
    const reasoning = {
      type: 'reasoning',
      id: 'rs_1',
      summary: [],
      encrypted_content: 'gAAAAABo1234567890abcdefABCDEF',
    }
    const message = {
      type: 'message',
      role: 'user',
      content: [
        { type: 'input_text', text: 'IBAN DE89 3704 0044 0532 0130 00' },
        { type: 'input_image', image_url: PNG },
        { type: 'input_file', filename: 'a.pdf', file_data: 'JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI' },
      ],
    }
    const body = {
      model: 'gpt-5',
      instructions: `Act for ${EMAIL}`,
      previous_response_id: 'resp_123',
      text: { format: { type: 'json_schema', name: 'out', schema: { examples: [EMAIL] } } },
      input: [
        message,
        reasoning,
        { type: 'function_call', call_id: 'call_9', name: 'pay', arguments: '{"iban":"DE89370400440532013000"}' },
        { type: 'function_call_output', call_id: 'call_9', output: 'paid from 192.168.1.10' },
      ],
    }
    const out = redact('reversible', body)
    const input = out.body.input
    expect(out.body.instructions).toBe('Act for [EMAIL_1]')
    expect(out.body.text).toBe(body.text)
    expect(input[0]).toEqual({
      ...message,
      content: [{ type: 'input_text', text: 'IBAN [IBAN_1]' }, ...message.content.slice(1)],
    })
    expect(input[1]).toBe(reasoning)
    expect(input[2]).toEqual({
      type: 'function_call',
      call_id: 'call_9',
      name: 'pay',
      arguments: '{"iban":"[IBAN_2]"}',
    })
    expect(input[3]).toEqual({ type: 'function_call_output', call_id: 'call_9', output: 'paid from [IP_1]' })
    expect(out.found).toEqual({ email: 1, iban: 2, ip: 1 })
  })

  it('Ollama chat and generate: messages, thinking, prompt and system; images, format and options untouched', () => {
    const chat = {
      model: 'llama3.2',
      format: { type: 'object', properties: { email: { type: 'string', default: EMAIL } } },
      options: { temperature: 0, stop: [EMAIL] },
      messages: [
        { role: 'user', content: `Who is ${EMAIL}?`, images: ['iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB1234'] },
        // Ollama's thinking is plain text, unlike Anthropic's signed blocks.
        { role: 'assistant', content: 'A user.', thinking: `Looking up ${EMAIL}` },
      ],
    }
    const out = redact('mask', chat)
    expect(out.body).toEqual({
      ...chat,
      messages: [
        { ...chat.messages[0], content: 'Who is [EMAIL]?' },
        { ...chat.messages[1], thinking: 'Looking up [EMAIL]' },
      ],
    })
    expect(out.body.format).toBe(chat.format)
    expect(out.body.options).toBe(chat.options)

    const generate = {
      model: 'llama3.2',
      system: `for ${EMAIL}`,
      prompt: `card ${CARD}`,
      context: [1, 2, 3],
      stream: false,
    }
    expect(redact('mask', generate).body).toEqual({ ...generate, system: 'for [EMAIL]', prompt: 'card [CREDIT_CARD]' })
  })
})

describe('preview (the admin test box)', () => {
  const config = {
    mode: 'reversible' as const,
    custom: [{ name: 'ticket', pattern: 'TCK-\\d{4}' }],
  }
  const text = `Ticket TCK-1234: mail ${EMAIL}, card ${CARD}, again ${EMAIL}.`

  it('reports each replaced span and sends exactly what redactBody sends for a message', () => {
    const preview = createRedactor(config).preview(text)
    const spans = preview.entities.map((e) => [e.type, text.slice(e.start, e.end)])
    expect(spans).toEqual([
      ['ticket', 'TCK-1234'],
      ['email', EMAIL],
      ['credit_card', CARD],
      ['email', EMAIL],
    ])
    const body = createRedactor(config).redactBody({ messages: [{ role: 'user', content: text }] })
    expect(preview.redacted).toBe((body!.body.messages as { content: string }[])[0].content)
    expect(preview.redacted).toBe('Ticket [TICKET_1]: mail [EMAIL_1], card [CREDIT_CARD_1], again [EMAIL_1].')
  })

  it('leaves what the pipeline leaves: data URLs, types not detected, and everything when off', () => {
    expect(createRedactor(config).preview(PNG)).toEqual({ redacted: PNG, entities: [] })
    const emailOnly = createRedactor({ mode: 'mask', detect: ['email'] }).preview(text)
    expect(emailOnly.redacted).toBe(`Ticket TCK-1234: mail [EMAIL], card ${CARD}, again [EMAIL].`)
    expect(createRedactor({ mode: 'off' }).preview(text)).toEqual({ redacted: text, entities: [] })
  })
})
