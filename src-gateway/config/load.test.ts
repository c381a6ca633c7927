import { describe, expect, it } from 'vitest'
import { ConfigError, parseConfig, resolveConfig } from './load.js'

describe('parseConfig', () => {
  it('resolves ${env:NAME} secrets but keeps the raw references for export', () => {
    const cfg = parseConfig('providers:\n  oa: { type: openai, apiKey: "${env:OA_KEY}" }\n', 'yaml', { OA_KEY: 'sk-1' })
    expect(cfg.resolved.providers?.oa.apiKey).toBe('sk-1')
    expect(cfg.raw.providers?.oa.apiKey).toBe('${env:OA_KEY}')
    expect(cfg.missingEnv).toEqual([])
  })

  it('resolves references only in credential fields; elsewhere they stay literal text', () => {
    const env = { K: 'sk-1', H: 'h-1', U: 'pw', W: 'https://hook/t', V: 'vk-1' }
    const cfg = parseConfig(
      `
providers:
  p: { type: openai-compatible, baseUrl: "https://u:\${env:U}@h/v1", apiKey: "\${env:K}", headers: { x-any: "t \${env:H}" } }
routes:
  r: { targets: [{ model: p/m, system: "\${env:K}" }] }
keys:
  - { name: ci, key: "\${env:V}", metadata: { team: "\${env:K}" } }
alerts: { webhook: "\${env:W}" }
prompts:
  greet: { model: r, messages: [{ role: user, content: "\${env:K}" }] }
`,
      'yaml',
      env,
    )
    const { resolved, raw } = cfg
    expect(resolved.providers?.p).toMatchObject({
      apiKey: 'sk-1',
      baseUrl: 'https://u:pw@h/v1',
      headers: { 'x-any': 't h-1' },
    })
    expect(resolved.keys?.[0].key).toBe('vk-1')
    expect(resolved.alerts?.webhook).toBe('https://hook/t')
    expect(resolved.keys?.[0].metadata).toEqual({ team: '${env:K}' })
    expect(resolved.routes).toEqual(raw.routes)
    expect(resolved.prompts).toEqual(raw.prompts)
  })

  it('resolves a ${secret:…} only to the secrets of the field it is in', () => {
    const store = new Map([
      ['providers.a.apiKey', 'key-a'],
      ['providers.b.apiKey', 'key-b'],
    ])
    const raw = {
      providers: {
        a: {
          type: 'openai' as const,
          apiKey: '${secret:providers.a.apiKey}',
          headers: { x: 'Bearer ${secret:providers.a.apiKey}' },
        },
        b: {
          type: 'openai' as const,
          apiKey: '${secret:providers.a.apiKey}',
          headers: { y: '${secret:providers.b.apiKey}' },
        },
      },
    }
    const cfg = resolveConfig(raw, {}, store)
    expect(cfg.resolved.providers?.a).toMatchObject({ apiKey: 'key-a', headers: { x: 'Bearer key-a' } })
    expect(cfg.resolved.providers?.b).toMatchObject({ apiKey: '', headers: { y: 'key-b' } })
    expect(cfg.missingSecrets).toEqual(['providers.a.apiKey'])
  })

  it('reports unset variables instead of failing', () => {
    const cfg = parseConfig('{"providers":{"c":{"type":"anthropic","apiKey":"${env:NOPE}"}}}', 'json', {})
    expect(cfg.missingEnv).toEqual(['NOPE'])
    expect(cfg.resolved.providers?.c.apiKey).toBe('')
  })

  it('rejects an unknown provider type with the path at fault', () => {
    expect(() => parseConfig('providers:\n  x: { type: bogus }\n', 'yaml')).toThrow(ConfigError)
    expect(() => parseConfig('providers:\n  x: { type: bogus }\n', 'yaml')).toThrow(/\/providers\/x/)
  })

  it('rejects broken YAML with a readable message', () => {
    expect(() => parseConfig('providers: [', 'yaml')).toThrow(/not valid YAML/)
  })

  it('accepts the example config of DESIGN.md', () => {
    const text = `
providers:
  openai:    { type: openai, apiKey: "\${env:OPENAI_API_KEY}" }
  claude:    { type: anthropic, apiKey: "\${env:ANTHROPIC_API_KEY}" }
  local:     { type: ollama, baseUrl: "http://127.0.0.1:11434" }
  lmstudio:  { type: openai-compatible, baseUrl: "http://127.0.0.1:1234/v1" }
routes:
  fast:
    strategy: fallback
    targets:
      - { model: local/llama3.2 }
      - { model: openai/gpt-4o-mini }
pricing:
  local/llama3.2: { input: 0, output: 0 }
`
    const cfg = parseConfig(text, 'yaml', {})
    expect(Object.keys(cfg.resolved.providers ?? {})).toEqual(['openai', 'claude', 'local', 'lmstudio'])
    expect(cfg.resolved.routes?.fast.targets).toHaveLength(2)
  })
})
