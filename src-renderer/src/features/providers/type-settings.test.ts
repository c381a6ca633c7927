import { describe, expect, it } from 'vitest'
import { typeSettingsDraft, typeSettingsInput } from './type-settings'

const AZURE = ['deployments', 'apiVersion']

describe('the provider form’s type settings', () => {
  it('round-trips azure-openai’s deployments and API version', () => {
    const draft = typeSettingsDraft({ deployments: { 'gpt-4o': 'gpt4o-prod', mini: 'm1' }, apiVersion: 'v1' })
    expect(draft).toEqual({ deployments: 'gpt-4o = gpt4o-prod\nmini = m1', apiVersion: 'v1' })
    expect(typeSettingsInput(draft, AZURE)).toEqual({
      input: { deployments: { 'gpt-4o': 'gpt4o-prod', mini: 'm1' }, apiVersion: 'v1' },
      errors: {},
    })
  })

  it('sends an emptied field as null (the setting is removed) and nothing for settings the type lacks', () => {
    expect(typeSettingsInput({ deployments: ' ', apiVersion: '' }, AZURE).input).toEqual({
      deployments: null,
      apiVersion: null,
    })
    expect(typeSettingsInput({ deployments: 'a = b', apiVersion: 'v1' }, []).input).toEqual({})
  })

  it('names a malformed line or version at its field', () => {
    const { errors } = typeSettingsInput({ deployments: 'gpt-4o', apiVersion: 'latest' }, AZURE)
    expect(Object.keys(errors).sort()).toEqual(['apiVersion', 'deployments'])
  })
})
