// A provider type's own settings (azure-openai's `deployments`, `apiVersion`) are accepted on its providers
// only, and a type without a usable default endpoint needs its `baseUrl`: the config says so when loaded.

import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'

const load = (providers: string) => () => parseConfig(`providers:\n${providers}\n`, 'yaml', {})

describe('provider type settings', () => {
  it('accepts an azure-openai provider with its deployments and api version', () => {
    const cfg = parseConfig(
      'providers:\n  az: { type: azure-openai, baseUrl: "https://r.openai.azure.com", deployments: { gpt-4o: prod }, apiVersion: v1 }\n',
      'yaml',
      {},
    )
    expect(cfg.resolved.providers?.az).toMatchObject({ deployments: { 'gpt-4o': 'prod' }, apiVersion: 'v1' })
  })

  it("refuses another type's setting, naming the type it belongs to", () => {
    expect(load('  oa: { type: openai, deployments: { gpt-4o: prod } }')).toThrow(
      '/providers/oa/deployments: is a setting of azure-openai providers, not openai',
    )
  })

  it('refuses an azure-openai provider without its endpoint', () => {
    expect(load('  az: { type: azure-openai, apiKey: k }')).toThrow(
      '/providers/az/baseUrl: is required for azure-openai',
    )
  })

  it('refuses an api version that is neither v1 nor a dated one', () => {
    expect(load('  az: { type: azure-openai, baseUrl: "https://r.openai.azure.com", apiVersion: latest }')).toThrow(
      '/providers/az/apiVersion',
    )
  })
})
