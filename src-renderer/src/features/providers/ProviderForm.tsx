import { type FormEvent, useState } from 'react'
import type { ProviderInput, ProviderItem, ProviderType } from '../../../../src-shared/admin-api'
import type { ProviderTypeInfo } from '../../../../src-shared/contract/provider-types'
import { errorMessage } from '../../api/client'
import { saveProvider } from '../../queries/providers'
import { TypeSettingsFields, typeSettingsDraft, typeSettingsInput } from './type-settings'
import { useProviderTypes } from './use-provider-types'

const ID_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/
/** What the form says of a type's default locality (its descriptor's). */
const LOCALITY_TEXT: Record<ProviderTypeInfo['locality'], string> = {
  local: 'this type is local by default',
  cloud: 'this type is cloud by default',
  'when loopback': 'this type is local by default when its URL is on this machine, cloud elsewhere',
}
/** The `local:` setting as the form offers it: the type's default, or either answer pinned. */
type Locality = 'default' | 'local' | 'cloud'
const LOCAL_SETTING: Record<Locality, boolean | null> = { default: null, local: true, cloud: false }

export interface ProviderFormSeed {
  id: string
  type: ProviderType
  baseUrl: string
}

/**
 * Add or edit a provider. The key field is write-only: an existing key is shown masked and left as is
 * unless a new one is typed; nothing typed here is ever read back from the gateway.
 */
export function ProviderForm(props: {
  editing: ProviderItem | null
  seed?: ProviderFormSeed
  existingIds: string[]
  onDone(): void
}) {
  const { editing, seed } = props
  const [error, setError] = useState<string | null>(null)
  const [id, setId] = useState(editing?.id ?? seed?.id ?? '')
  const [type, setType] = useState<ProviderType>(editing?.type ?? seed?.type ?? 'openai')
  const providerTypes = useProviderTypes()
  const info = providerTypes.types.find((t) => t.type === type)
  const [baseUrl, setBaseUrl] = useState(editing?.baseUrl ?? seed?.baseUrl ?? '')
  const [keyMode, setKeyMode] = useState<'value' | 'env'>(editing?.apiKeySource === 'env' ? 'env' : 'value')
  const [apiKey, setApiKey] = useState('')
  const [apiKeyEnv, setApiKeyEnv] = useState(editing?.apiKeyEnv ?? '')
  const [models, setModels] = useState('')
  const [locality, setLocality] = useState<Locality>(
    editing?.localSetting === true ? 'local' : editing?.localSetting === false ? 'cloud' : 'default',
  )
  const [settings, setSettings] = useState(typeSettingsDraft(editing?.settings))
  const declared = info?.settings ?? []
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({})
  const [saving, setSaving] = useState(false)

  const validate = (): Record<string, string> => {
    const e: Record<string, string> = {}
    if (!editing) {
      if (!ID_PATTERN.test(id)) e.id = 'Use letters, digits, dot, dash or underscore, starting with a letter or digit.'
      else if (props.existingIds.includes(id)) e.id = `A provider named "${id}" exists already.`
    }
    if (baseUrl && !/^https?:\/\/\S+$/.test(baseUrl)) e.baseUrl = 'Start with http:// or https://.'
    else if (!baseUrl.trim() && info?.baseUrlRequired) e.baseUrl = `Required for this type, e.g. ${info.defaultBaseUrl}`
    if (keyMode === 'env' && apiKeyEnv && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(apiKeyEnv))
      e.apiKeyEnv = 'An environment variable name, e.g. OPENAI_API_KEY.'
    return { ...e, ...typeSettingsInput(settings, declared).errors }
  }

  const onSubmit = async (ev: FormEvent) => {
    ev.preventDefault()
    const e = validate()
    setFieldErrors(e)
    if (Object.keys(e).length) return
    const input: ProviderInput = { id, type }
    // Empty goes back to the type's default; on an edit, a field left out would stay as it was.
    input.baseUrl = baseUrl.trim() || null
    if (keyMode === 'value' && apiKey) input.apiKey = apiKey
    if (keyMode === 'env' && apiKeyEnv) input.apiKeyEnv = apiKeyEnv
    const list = models
      .split(/[\s,]+/)
      .map((m) => m.trim())
      .filter(Boolean)
    if (list.length) input.models = list
    input.local = LOCAL_SETTING[locality]
    Object.assign(input, typeSettingsInput(settings, declared).input)
    setSaving(true)
    setError(null)
    try {
      await saveProvider(input, editing !== null)
      props.onDone()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setSaving(false)
      // The typed key leaves memory as soon as the gateway has it.
      setApiKey('')
    }
  }

  const title = editing ? `Edit ${editing.id}` : 'Add provider'
  return (
    <form className="panel stack" onSubmit={(e) => void onSubmit(e)} aria-labelledby="provider-form-title" noValidate>
      <h2 id="provider-form-title">{title}</h2>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="pf-id">Provider id</label>
          <input
            id="pf-id"
            value={id}
            disabled={editing !== null}
            onChange={(e) => setId(e.target.value)}
            aria-invalid={Boolean(fieldErrors.id)}
            aria-describedby="pf-id-hint"
            required
          />
          <span id="pf-id-hint" className={fieldErrors.id ? 'field-error' : 'field-hint'}>
            {fieldErrors.id ?? 'Used in model names: id/model.'}
          </span>
        </div>
        <div className="field">
          <label htmlFor="pf-type">Type</label>
          <select
            id="pf-type"
            value={type}
            onChange={(e) => setType(e.target.value)}
            aria-describedby="pf-type-hint"
            disabled={providerTypes.types.length === 0}
          >
            {info === undefined && <option value={type}>{type}</option>}
            {providerTypes.types.map((t) => (
              <option key={t.type} value={t.type}>
                {t.label}
              </option>
            ))}
          </select>
          <span id="pf-type-hint" className={providerTypes.error ? 'field-error' : 'field-hint'}>
            {providerTypes.error ? `Could not load the provider types: ${providerTypes.error}` : info?.hint}
          </span>
        </div>
        <div className="field">
          <label htmlFor="pf-base-url">Base URL</label>
          <input
            id="pf-base-url"
            value={baseUrl}
            placeholder={info?.defaultBaseUrl}
            onChange={(e) => setBaseUrl(e.target.value)}
            aria-invalid={Boolean(fieldErrors.baseUrl)}
            aria-describedby="pf-base-url-hint"
          />
          <span id="pf-base-url-hint" className={fieldErrors.baseUrl ? 'field-error' : 'field-hint'}>
            {fieldErrors.baseUrl ??
              (info && !info.baseUrlRequired ? `Empty uses the default: ${info.defaultBaseUrl}` : '')}
          </span>
        </div>
      </div>
      <TypeSettingsFields declared={declared} draft={settings} errors={fieldErrors} onChange={setSettings} />
      <fieldset className="stack" style={{ border: 0, padding: 0, margin: 0 }}>
        <legend className="field-hint" style={{ marginBottom: 6 }}>
          API key{info?.keyRequired ? ' (required by this type)' : ' (optional for local servers)'}
        </legend>
        <div className="row">
          <label className="row" style={{ gap: 4 }}>
            <input type="radio" name="pf-key-mode" checked={keyMode === 'value'} onChange={() => setKeyMode('value')} />
            Enter the key
          </label>
          <label className="row" style={{ gap: 4 }}>
            <input type="radio" name="pf-key-mode" checked={keyMode === 'env'} onChange={() => setKeyMode('env')} />
            Read it from an environment variable
          </label>
        </div>
        {keyMode === 'value' ? (
          <div className="field">
            <label htmlFor="pf-key">API key</label>
            <input
              id="pf-key"
              type="password"
              autoComplete="off"
              value={apiKey}
              placeholder={editing?.apiKeyMasked ? `${editing.apiKeyMasked} (unchanged)` : 'sk-…'}
              onChange={(e) => setApiKey(e.target.value)}
              aria-describedby="pf-key-hint"
            />
            <span id="pf-key-hint" className="field-hint">
              {editing?.hasApiKey
                ? `Stored key ${editing.apiKeyMasked ?? ''}; type a new one to replace it.`
                : 'Kept by the gateway and never shown again; the UI sees only its last characters.'}
            </span>
          </div>
        ) : (
          <div className="field">
            <label htmlFor="pf-key-env">Environment variable</label>
            <input
              id="pf-key-env"
              value={apiKeyEnv}
              placeholder="OPENAI_API_KEY"
              onChange={(e) => setApiKeyEnv(e.target.value)}
              aria-invalid={Boolean(fieldErrors.apiKeyEnv)}
            />
            {fieldErrors.apiKeyEnv && <span className="field-error">{fieldErrors.apiKeyEnv}</span>}
          </div>
        )}
      </fieldset>
      <div className="field">
        <label htmlFor="pf-local">Counted as</label>
        <select
          id="pf-local"
          value={locality}
          onChange={(e) => setLocality(e.target.value as Locality)}
          aria-describedby="pf-local-hint"
        >
          <option value="default">Default for the type</option>
          <option value="local">Local: free</option>
          <option value="cloud">Cloud: priced</option>
        </select>
        <span id="pf-local-hint" className="field-hint">
          Local calls cost nothing and count as local in Overview{info ? `; ${LOCALITY_TEXT[info.locality]}` : ''}.
        </span>
      </div>
      <div className="field">
        <label htmlFor="pf-models">Models (optional)</label>
        <input
          id="pf-models"
          value={models}
          placeholder={
            editing?.models.slice(0, 3).join(', ') ||
            (info?.capabilities.modelListing === false
              ? 'this type cannot list its models: name them here'
              : 'only when the server cannot list its models')
          }
          onChange={(e) => setModels(e.target.value)}
        />
      </div>
      {error && (
        <p className="error" role="alert">
          Could not save: {error}
        </p>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={saving}>
          {saving ? 'Saving…' : editing ? 'Save changes' : 'Add provider'}
        </button>
        <button type="button" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </form>
  )
}
