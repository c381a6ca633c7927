import { describe, expect, it } from 'vitest'
import { credentialValues } from '../config/secret-fields.js'
import { createBodyScrubber, createTextScrubber, MAX_BODY_CHARS } from './body-scrub.js'

describe('body scrubbing', () => {
  const scrub = createBodyScrubber(['upstream-secret-123', 'vk-team-key-999'])

  it('replaces credential fields, configured secrets and key-shaped strings', () => {
    const out = scrub({
      model: 'gpt-4o',
      headers: { Authorization: 'Bearer abc', 'x-api-key': 'k' },
      api_key: 'whatever',
      messages: [
        { role: 'user', content: 'my key is upstream-secret-123 and vk-team-key-999' },
        { role: 'user', content: 'also sk-proj-ABCDEFGHIJKLMNOPQRSTUVWX and Bearer eyJhbGciOiJIUzI1NiJ9.x' },
      ],
    })!
    for (const secret of ['Bearer abc', 'whatever', 'upstream-secret-123', 'vk-team-key-999', 'sk-proj-', 'eyJhbGci']) {
      expect(out.text).not.toContain(secret)
    }
    expect(JSON.parse(out.text).model).toBe('gpt-4o')
  })

  it('cuts very large bodies and says so', () => {
    const out = scrub('x'.repeat(MAX_BODY_CHARS + 10))!
    expect(out.text.length).toBe(MAX_BODY_CHARS)
    expect(out.isTruncated).toBe(true)
    expect(scrub(undefined)).toBeNull()
  })

  it('collects provider keys, every header value, baseUrl credentials and virtual keys from config', () => {
    const secrets = credentialValues({
      providers: {
        a: {
          type: 'openai',
          apiKey: 'key-a',
          headers: { 'X-Api-Key': 'hdr-secret', 'OpenAI-Organization': 'org', authorization: 'Bearer tok-1' },
          baseUrl: 'https://user:pw%2B1@example.com/v1?api_key=qk-1&region=eu',
        },
      },
      keys: [{ name: 'ci', key: 'vk-1' }, 'junk' as never],
    })
    expect(secrets.sort()).toEqual(
      [
        'Bearer tok-1',
        'hdr-secret',
        'key-a',
        'org',
        'pw%2B1',
        'pw+1',
        'qk-1',
        'tok-1',
        'user:pw%2B1',
        'user:pw+1',
        'vk-1',
      ].sort(),
    )
  })

  it('scrubs a configured secret from plain text as well', () => {
    const scrubText = createTextScrubber(['exact-secret-value-1'])
    expect(scrubText('Incorrect API key provided: exact-secret-value-1.')).toBe(
      'Incorrect API key provided: [redacted].',
    )
  })
})
