import { describe, expect, it } from 'vitest'
import type { GatewayConfig } from './schema.js'
import { exportableConfig, referencedSecrets, sealPlainSecrets } from './secret-fields.js'

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
      'X-Org': 'org-1',
    })
    expect(raw.providers?.b.apiKey).toBe('${env:B_KEY}')
    expect(raw.keys).toEqual([{ name: 'ci', key: '${secret:keys.ci.key}' }])
    expect([...values]).toEqual([
      ['providers.a.apiKey', 'sk-plain-0123456789'],
      ['providers.a.headers.authorization', 'Bearer x'],
      ['keys.ci.key', 'vk-plain'],
    ])
    expect(cfg.providers?.a.apiKey).toBe('sk-plain-0123456789')
    expect([...referencedSecrets(raw)].sort()).toEqual([
      'keys.ci.key',
      'providers.a.apiKey',
      'providers.a.headers.authorization',
      'providers.c.apiKey',
    ])
  })

  it('exports references, drops plain values, and omits every credential on request', () => {
    const refs = exportableConfig(cfg, 'refs')
    expect(refs.providers?.a).toEqual({ type: 'openai', headers: { 'X-Org': 'org-1' } })
    expect(refs.providers?.b.apiKey).toBe('${env:B_KEY}')
    expect(refs.server?.adminToken).toBe('${env:ADMIN}')
    const omit = exportableConfig(cfg, 'omit')
    expect(JSON.stringify(omit)).not.toMatch(/apiKey|adminToken|"key"/)
  })
})
