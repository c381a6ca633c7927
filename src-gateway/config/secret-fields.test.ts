import { describe, expect, it } from 'vitest'
import type { GatewayConfig } from './schema.js'
import { exportableConfig, maskedUrl, referencedSecrets, sealPlainSecrets } from './secret-fields.js'

const cfg: GatewayConfig = {
  server: { adminToken: '${env:ADMIN}' },
  providers: {
    a: { type: 'openai', apiKey: 'sk-plain-0123456789', headers: { Authorization: 'Bearer x', 'X-Org': 'org-1' } },
    b: { type: 'anthropic', apiKey: '${env:B_KEY}' },
    c: { type: 'gemini', apiKey: '${secret:providers.c.apiKey}' },
  },
  keys: [{ name: 'ci', key: 'vk-plain' }],
}

describe('secret fields', () => {
  it('moves plain credentials to secret references and leaves references alone', () => {
    const { raw, values } = sealPlainSecrets(cfg)
    expect(raw.providers?.a.apiKey).toBe('${secret:providers.a.apiKey}')
    expect(raw.providers?.a.headers).toEqual({
      Authorization: '${secret:providers.a.headers.authorization}',
      'X-Org': '${secret:providers.a.headers.x-org}',
    })
    expect(raw.providers?.b.apiKey).toBe('${env:B_KEY}')
    expect(raw.keys).toEqual([{ name: 'ci', key: '${secret:keys.ci.key}' }])
    expect([...values]).toEqual([
      ['providers.a.apiKey', 'sk-plain-0123456789'],
      ['providers.a.headers.authorization', 'Bearer x'],
      ['providers.a.headers.x-org', 'org-1'],
      ['keys.ci.key', 'vk-plain'],
    ])
    expect(cfg.providers?.a.apiKey).toBe('sk-plain-0123456789')
    expect([...referencedSecrets(raw)].sort()).toEqual([
      'keys.ci.key',
      'providers.a.apiKey',
      'providers.a.headers.authorization',
      'providers.a.headers.x-org',
      'providers.c.apiKey',
    ])
  })

  it('exports references, drops plain values, and omits every credential on request', () => {
    const refs = exportableConfig(cfg, 'refs')
    expect(refs.providers?.a).toEqual({ type: 'openai', headers: {} })
    expect(refs.providers?.b.apiKey).toBe('${env:B_KEY}')
    expect(refs.server?.adminToken).toBe('${env:ADMIN}')
    const omit = exportableConfig(cfg, 'omit')
    expect(JSON.stringify(omit)).not.toMatch(/apiKey|adminToken|"key"/)
  })

  it('seals a baseUrl userinfo and key-like query parameters, and leaves the rest of the URL as written', () => {
    const { raw, values } = sealPlainSecrets({
      providers: {
        g: { type: 'openai-compatible', baseUrl: 'https://me:pw@example.com/v1?api-version=2&api_key=k1&sig=s2#x' },
        r: { type: 'openai-compatible', baseUrl: 'https://example.com/v1?key=${env:K}' },
      },
    })
    expect(raw.providers?.g.baseUrl).toBe(
      'https://${secret:providers.g.baseUrl.userinfo}@example.com/v1?api-version=2' +
        '&api_key=${secret:providers.g.baseUrl.query.api_key}&sig=${secret:providers.g.baseUrl.query.sig}#x',
    )
    expect(raw.providers?.r.baseUrl).toBe('https://example.com/v1?key=${env:K}')
    expect([...values]).toEqual([
      ['providers.g.baseUrl.userinfo', 'me:pw'],
      ['providers.g.baseUrl.query.api_key', 'k1'],
      ['providers.g.baseUrl.query.sig', 's2'],
    ])
    expect(
      exportableConfig({ providers: { g: { type: 'openai', baseUrl: 'https://me:pw@h/v1?key=k&a=b' } } }, 'refs'),
    ).toEqual({ providers: { g: { type: 'openai', baseUrl: 'https://h/v1?a=b' } } })
    expect(maskedUrl('https://me:password-1234@h/v1?token=abcdefghijklmnop&a=b', () => '***')).toBe(
      'https://***@h/v1?token=***&a=b',
    )
  })
})
