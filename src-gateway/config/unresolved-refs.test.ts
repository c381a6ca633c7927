import { describe, expect, it } from 'vitest'
import type { GatewayConfig } from './schema.js'
import { unresolvedRefs } from './unresolved-refs.js'

const secrets = (values: Record<string, string>) => ({ get: (name: string) => values[name] })

describe('unresolvedRefs', () => {
  const raw = {
    providers: {
      'openai.eu': { type: 'openai', apiKey: '${env:OPENAI_API_KEY}' },
      local: { type: 'ollama' },
    },
    keys: [
      { name: 'ci', key: '${env:SWITCHYARD_KEY_CI}' },
      { name: 'ui', key: '${secret:keys.ui.key}' },
      { name: 'half', key: 'sy-${env:HALF}' },
      { name: 'blank', key: '${env:BLANK}' },
      { name: 'ok', key: '${env:OK}' },
    ],
  } as GatewayConfig

  it('names each client key without a value as an error, and each provider key as a warning', () => {
    const out = unresolvedRefs(raw, { OK: 'sy-ok', BLANK: '' }, secrets({}))
    expect(out.errors).toEqual([
      "key 'ci': ${env:SWITCHYARD_KEY_CI} is not set",
      "key 'ui': ${secret:keys.ui.key} is not set",
      "key 'half': ${env:HALF} is not set",
      "key 'blank': ${env:BLANK} is empty",
    ])
    expect(out.warnings).toEqual([
      "provider 'openai.eu': apiKey ${env:OPENAI_API_KEY} is not set; its calls fail with 401 until it is",
    ])
  })

  it('finds nothing once every reference has a value', () => {
    const env = { OPENAI_API_KEY: 'sk', SWITCHYARD_KEY_CI: 'a', HALF: 'b', BLANK: 'c', OK: 'd' }
    expect(unresolvedRefs(raw, env, secrets({ 'keys.ui.key': 'sy-ui' }))).toEqual({ errors: [], warnings: [] })
  })

  it('does not count a secret of another field as a value, as resolving does not', () => {
    const other = { keys: [{ name: 'x', key: '${secret:providers.a.apiKey}' }] } as GatewayConfig
    expect(unresolvedRefs(other, {}, secrets({ 'providers.a.apiKey': 'sk' })).errors).toEqual([
      "key 'x': ${secret:providers.a.apiKey} is not set",
    ])
  })
})
