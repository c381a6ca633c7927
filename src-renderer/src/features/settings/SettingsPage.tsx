import { useMutation, useQuery } from '@tanstack/react-query'
import { type FormEvent, useEffect, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { ConfigImportPrompts, ConfigImportResult, GatewaySettings } from '../../../../src-shared/admin-api'
import { adminApi } from '../../api/admin'
import { errorMessage } from '../../api/client'
import { hrefFor } from '../../app/router'
import { CopyButton } from '../../components/CopyButton'
import { countNoun } from '../../count-noun'
import { saveRetention, settingsQuery } from '../../queries/settings'
import { statusQuery } from '../../queries/status'
import { useAppStore } from '../../store'
import { canUse } from '../../store/auth-slice'
import { type ExportFormat, type ExportSecrets, pointerToPath } from '../../store/settings-slice'
import type { ThemeChoice } from '../../theme/theme'
import { TeamSection } from '../team/TeamSection'
import { BackupsSection } from './BackupsSection'
import { ConfigChangeList } from './ConfigChangeList'

function General() {
  const query = useQuery(settingsQuery())
  const settings = query.data ?? null
  const error = query.error ? errorMessage(query.error) : null
  const status = useQuery(statusQuery()).data
  const baseUrl = status?.baseUrl ?? null
  const dataDir = status?.info.dataDir
  // Without the settings endpoint, the address and data folder still come from what the page knows.
  const url = baseUrl ? new URL(baseUrl) : null
  return (
    <section className="panel" aria-labelledby="general-heading">
      <h2 id="general-heading">General</h2>
      <dl className="kv">
        <dt>Host</dt>
        <dd>
          <code>{settings?.host ?? url?.hostname ?? '—'}</code>
        </dd>
        <dt>Port</dt>
        <dd>
          <code>{settings?.port ?? url?.port ?? '—'}</code>
        </dd>
        <dt>Data folder</dt>
        <dd>
          <code>{settings?.dataDir ?? dataDir ?? 'in memory'}</code>
        </dd>
        <dt>Config file</dt>
        <dd>
          <code>{settings?.configPath ?? '—'}</code>
        </dd>
        <dt>Secrets</dt>
        <dd>{settings ? SECRET_STORES[settings.secretStore] : '—'}</dd>
      </dl>
      <p className="field-hint">Host and port are set when the gateway starts (--host, --port).</p>
      {error && (
        <p className="error" role="alert">
          Could not load settings: {error}
        </p>
      )}
    </section>
  )
}

const SECRET_STORES: Record<GatewaySettings['secretStore'], string> = {
  'os-keychain': 'Keys entered here are kept in the OS keychain.',
  'encrypted-file': 'Keys entered here are kept encrypted in the data folder (secrets.enc.json).',
  memory: 'Keys entered here last until the gateway stops; use ${env:…} references to keep them.',
}

function Retention() {
  const settings = useQuery(settingsQuery()).data ?? null
  const save = useMutation({ mutationFn: saveRetention })
  const saving = save.isPending
  const error = save.error ? errorMessage(save.error) : null
  const [maxAgeDays, setMaxAgeDays] = useState('')
  const [maxDbMb, setMaxDbMb] = useState('')
  const [storeBodies, setStoreBodies] = useState(true)
  useEffect(() => {
    if (!settings) return
    setMaxAgeDays(settings.logs.maxAgeDays === null ? '' : String(settings.logs.maxAgeDays))
    setMaxDbMb(settings.logs.maxDbMb === null ? '' : String(settings.logs.maxDbMb))
    setStoreBodies(settings.logs.storeBodies)
  }, [settings])
  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    save.mutate({
      maxAgeDays: maxAgeDays ? Number(maxAgeDays) : null,
      maxDbMb: maxDbMb ? Number(maxDbMb) : null,
      storeBodies,
    })
  }
  return (
    <form className="panel stack" aria-labelledby="retention-heading" onSubmit={onSubmit}>
      <h2 id="retention-heading">Log retention</h2>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="ret-age">Keep logs for (days)</label>
          <input
            id="ret-age"
            type="number"
            min={1}
            value={maxAgeDays}
            placeholder="forever"
            onChange={(e) => setMaxAgeDays(e.target.value)}
            disabled={!settings}
          />
        </div>
        <div className="field">
          <label htmlFor="ret-size">Largest database (MB)</label>
          <input
            id="ret-size"
            type="number"
            min={1}
            value={maxDbMb}
            placeholder="no limit"
            onChange={(e) => setMaxDbMb(e.target.value)}
            disabled={!settings}
          />
        </div>
      </div>
      <label className="row" style={{ gap: 6, color: 'var(--fg)', fontSize: 14 }}>
        <input
          type="checkbox"
          checked={storeBodies}
          onChange={(e) => setStoreBodies(e.target.checked)}
          disabled={!settings}
        />
        Store request and response bodies (secrets stripped)
      </label>
      {!settings && <p className="field-hint">Retention can be changed once the gateway's settings load.</p>}
      {(settings?.restartRequired?.length ?? 0) > 0 && (
        <p className="warn-text">Takes effect at the next start: {settings?.restartRequired?.join(', ')}.</p>
      )}
      {error && (
        <p className="error" role="alert">
          Could not save: {error}
        </p>
      )}
      <div>
        <button type="submit" className="primary" disabled={!settings || saving}>
          {saving ? 'Saving…' : 'Save retention'}
        </button>
      </div>
    </form>
  )
}

function Appearance() {
  const theme = useAppStore((s) => s.theme)
  const setTheme = useAppStore((s) => s.setTheme)
  const options: { key: ThemeChoice; label: string }[] = [
    { key: 'system', label: 'System' },
    { key: 'light', label: 'Light' },
    { key: 'dark', label: 'Dark' },
  ]
  return (
    <section className="panel" aria-labelledby="appearance-heading">
      <h2 id="appearance-heading">Appearance</h2>
      {/* biome-ignore lint/a11y/useSemanticElements: a toolbar of toggle buttons, not a form group */}
      <div className="segmented" role="group" aria-label="Theme">
        {options.map((o) => (
          <button key={o.key} type="button" aria-pressed={theme === o.key} onClick={() => setTheme(o.key)}>
            {o.label}
          </button>
        ))}
      </div>
      <p className="field-hint">System follows your operating system's light or dark setting.</p>
    </section>
  )
}

function ConfigExport() {
  const [format, setFormat] = useState<ExportFormat>('yaml')
  const [secrets, setSecrets] = useState<ExportSecrets>('refs')
  const [prompts, setPrompts] = useState(false)
  // `prompts` includes the prompt library, so one file carries the whole setup.
  const exported = useMutation({ mutationFn: () => adminApi.exportConfig(format, secrets, prompts) })
  const text = exported.data ?? null
  const error = exported.error ? errorMessage(exported.error) : null
  const loading = exported.isPending
  const download = () => {
    if (text === null) return
    const url = URL.createObjectURL(new Blob([text], { type: format === 'yaml' ? 'text/yaml' : 'application/json' }))
    const a = document.createElement('a')
    a.href = url
    // The name the admin API's own download gives, so a file saved either way is the same file.
    a.download = `switchyard-config.${format}`
    a.click()
    URL.revokeObjectURL(url)
  }
  return (
    <section className="panel stack" aria-labelledby="export-heading">
      <h2 id="export-heading">Export config</h2>
      <div className="row">
        <div className="field">
          <label htmlFor="export-format">Format</label>
          <select id="export-format" value={format} onChange={(e) => setFormat(e.target.value as ExportFormat)}>
            <option value="yaml">YAML</option>
            <option value="json">JSON</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="export-secrets">Secrets</label>
          <select id="export-secrets" value={secrets} onChange={(e) => setSecrets(e.target.value as ExportSecrets)}>
            <option value="refs">
              As {'${env:…}'} / {'${secret:…}'} references
            </option>
            <option value="omit">Left out</option>
          </select>
        </div>
        <button
          type="button"
          className="primary"
          style={{ alignSelf: 'flex-end' }}
          onClick={() => exported.mutate()}
          disabled={loading}
        >
          {loading ? 'Exporting…' : 'Export'}
        </button>
      </div>
      <label className="row" style={{ gap: 6, color: 'var(--fg)', fontSize: 14 }}>
        <input type="checkbox" checked={prompts} onChange={(e) => setPrompts(e.target.checked)} />
        Include the prompt library (each prompt's latest version)
      </label>
      {error && (
        <p className="error" role="alert">
          Could not export: {error}
        </p>
      )}
      {text !== null && (
        <>
          <div className="field">
            <label htmlFor="export-text">Exported config (read-only; never contains key values)</label>
            <textarea id="export-text" className="mono" rows={12} readOnly value={text} />
          </div>
          <div className="row">
            <CopyButton text={text} label="Copy config" />
            <button type="button" className="small" onClick={download}>
              Download
            </button>
          </div>
        </>
      )}
    </section>
  )
}

const PROMPT_PLAN = [
  ['created', 'Prompts to create'],
  ['updated', 'Prompts to update (a new version each)'],
] as const

/** What an import does to the prompt library, one group per outcome; unchanged prompts only counted. */
function PromptPlan({ prompts }: { prompts: ConfigImportPrompts }) {
  return (
    <>
      {PROMPT_PLAN.map(([key, label]) =>
        prompts[key].length === 0 ? null : (
          <div key={key}>
            <h3>
              {label} ({prompts[key].length})
            </h3>
            <ul className="change-list">
              {prompts[key].map((name) => (
                <li key={name}>
                  <code>{name}</code>
                </li>
              ))}
            </ul>
          </div>
        ),
      )}
      {prompts.unchanged.length > 0 && (
        <p className="muted">{countNoun(prompts.unchanged.length, 'prompt')} already the same here.</p>
      )}
    </>
  )
}

/** Client keys the import leaves out, and why: only the gateway that made a key holds its value. */
function DroppedKeys({ result }: { result: ConfigImportResult }) {
  if (!result.droppedKeys?.length) return null
  return (
    <p className="warn-text">
      Client keys not imported, their values are not on this machine:{' '}
      {result.droppedKeys.map((k) => `${k.name} (${k.problem})`).join(', ')}. Create new keys under{' '}
      <a href={hrefFor('/keys')}>Keys &amp; Policies</a>.
    </p>
  )
}

/** Whether applying would change anything: the config, or the prompt library. */
const changesSomething = (r: ConfigImportResult) =>
  r.changes.length > 0 || (r.prompts?.created.length ?? 0) > 0 || (r.prompts?.updated.length ?? 0) > 0

function ImportPreview({ preview }: { preview: ConfigImportResult }) {
  const applying = useAppStore((s) => s.importBusy)
  const apply = useAppStore((s) => s.applyImport)
  const cancel = useAppStore((s) => s.cancelImport)
  if (!preview.valid) {
    return (
      <div data-testid="import-preview" role="alert">
        <p className="error">
          <strong>This config is not valid.</strong> Fix these and validate again:
        </p>
        <ul className="change-list">
          {preview.errors.map((e) => (
            <li key={`${e.path}:${e.message}`}>
              <code>{pointerToPath(e.path) || '(whole file)'}</code>: <span className="error">{e.message}</span>
            </li>
          ))}
        </ul>
      </div>
    )
  }
  return (
    <div data-testid="import-preview" className="stack" aria-live="polite">
      {changesSomething(preview) ? (
        <ConfigChangeList changes={preview.changes} />
      ) : (
        <p>Nothing would change: this config matches the running one.</p>
      )}
      {preview.prompts && <PromptPlan prompts={preview.prompts} />}
      <DroppedKeys result={preview} />
      {(preview.droppedCredentials?.length ?? 0) > 0 && (
        <p className="warn-text">
          Not carried over (the file points these providers elsewhere; enter their keys again):{' '}
          {preview.droppedCredentials?.join(', ')}.
        </p>
      )}
      <div className="row">
        <button
          type="button"
          className="primary"
          onClick={() => void apply()}
          disabled={applying || !changesSomething(preview)}
        >
          {applying ? 'Applying…' : 'Apply'}
        </button>
        <button type="button" onClick={cancel}>
          Cancel
        </button>
      </div>
    </div>
  )
}

function ConfigImport() {
  const { text, preview, error, busy, applied } = useAppStore(
    useShallow((s) => ({
      text: s.importText,
      preview: s.importPreview,
      error: s.importError,
      busy: s.importBusy,
      applied: s.importApplied,
    })),
  )
  const setText = useAppStore((s) => s.setImportText)
  const validate = useAppStore((s) => s.previewImport)
  const [fileError, setFileError] = useState<string | null>(null)
  const onFile = (file: File | undefined) => {
    setFileError(null)
    if (!file) return
    file.text().then(setText, () => setFileError('The file could not be read.'))
  }
  return (
    <section className="panel stack" aria-labelledby="import-heading">
      <h2 id="import-heading">Import config</h2>
      <div className="field">
        <label htmlFor="import-file">Config file (YAML or JSON)</label>
        <input
          id="import-file"
          type="file"
          accept=".yaml,.yml,.json,application/json,text/yaml"
          onChange={(e) => onFile(e.target.files?.[0])}
        />
        {fileError && <span className="field-error">{fileError}</span>}
      </div>
      <div className="field">
        <label htmlFor="import-text">Or paste it</label>
        <textarea
          id="import-text"
          className="mono"
          rows={8}
          value={text}
          placeholder={'providers:\n  openai: { type: openai, apiKey: "${env:OPENAI_API_KEY}" }'}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
      <div className="row">
        <button type="button" onClick={() => void validate()} disabled={busy || !text.trim()}>
          {busy && !preview ? 'Validating…' : 'Validate and preview'}
        </button>
        <span className="field-hint">
          Nothing changes until you press Apply on the preview; a backup is taken first.
        </span>
      </div>
      {error && (
        <p className="error" role="alert">
          Could not import: {error}
        </p>
      )}
      {applied && (
        <div role="status">
          <p className="success">✔ Config applied ({countNoun(applied.changes.length, 'change')}).</p>
          {applied.prompts && (
            <p>
              Prompts: {applied.prompts.created.length} created, {applied.prompts.updated.length} updated,{' '}
              {applied.prompts.unchanged.length} unchanged.
            </p>
          )}
          <DroppedKeys result={applied} />
          {(applied.missingEnv?.length ?? 0) > 0 && (
            <p className="warn-text">Set these environment variables for its keys: {applied.missingEnv?.join(', ')}.</p>
          )}
          {(applied.missingSecrets?.length ?? 0) > 0 && (
            <p className="warn-text">Enter these keys under Providers: {applied.missingSecrets?.join(', ')}.</p>
          )}
        </div>
      )}
      {preview && <ImportPreview preview={preview} />}
    </section>
  )
}

/** The cache moved to Keys & Policies with the other policies; this says where. */
function CacheLink() {
  return (
    <section className="panel" aria-labelledby="cache-link-heading">
      <h2 id="cache-link-heading">Cache</h2>
      <p>
        The response cache (mode, time to live, size limits, live counters and Clear) is under{' '}
        <a href={hrefFor('/keys', { tab: 'cache' })}>Keys &amp; Policies → Cache</a>, beside redaction and budgets.
      </p>
    </section>
  )
}

export function SettingsPage() {
  // A team member without settings:write has General (read only), Appearance and Team here; the rest would only
  // show refusals.
  const settings = useAppStore((s) => canUse(s, 'settings:write'))
  const readSettings = useAppStore((s) => canUse(s, 'settings:read'))
  const team = useAppStore((s) => s.authMode === 'team')
  if (!settings) {
    return (
      <main className="page">
        <header className="page-header">
          <h1>Settings</h1>
        </header>
        <div className="settings-grid">
          <div className="stack">
            {readSettings && <General />}
            <Appearance />
          </div>
          <div className="stack">
            <TeamSection />
          </div>
        </div>
      </main>
    )
  }
  return (
    <main className="page">
      <header className="page-header">
        <h1>Settings</h1>
      </header>
      {team && <TeamSection />}
      <div className="settings-grid">
        <div className="stack">
          <General />
          <Retention />
          <Appearance />
        </div>
        <div className="stack">
          <ConfigExport />
          <ConfigImport />
          <CacheLink />
        </div>
      </div>
      <BackupsSection />
      {!team && <TeamSection />}
    </main>
  )
}
