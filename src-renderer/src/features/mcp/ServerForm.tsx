import { useMutation } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import type { McpServerItem } from '../../../../src-shared/contract/mcp'
import { errorMessage } from '../../api/client'
import { mcpApi } from '../../api/mcp'
import { countNoun } from '../../count-noun'
import { formatDuration } from '../../format'
import { saveMcpServer } from '../../queries/mcp'
import { draftErrors, draftOf, inputOf, type ServerDraft, testBodyOf, type ValueRow } from './server-draft'

/**
 * Env variables or headers: a name and a write-only value per row. A stored value shows masked as the placeholder
 * and stays unless a new one is typed; nothing typed is read back from the gateway.
 */
function ValueRows(props: {
  legend: string
  hint: string
  prefix: 'env' | 'headers'
  rows: ValueRow[]
  errors: Record<string, string>
  namePlaceholder: string
  onChange(rows: ValueRow[]): void
}) {
  const { rows, prefix } = props
  const set = (i: number, patch: Partial<ValueRow>) =>
    props.onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)))
  return (
    <fieldset className="mcp-values">
      <legend>{props.legend}</legend>
      <p className="field-hint">{props.hint}</p>
      {rows.map((r, i) => {
        const error = props.errors[`${prefix}.${i}`]
        const label = r.name.trim() || `row ${i + 1}`
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place while being typed
          <div className="mcp-value-row" key={i}>
            <input
              aria-label={`${props.legend} ${i + 1} name`}
              value={r.name}
              placeholder={props.namePlaceholder}
              disabled={r.stored !== undefined}
              onChange={(e) => set(i, { name: e.target.value })}
              aria-invalid={Boolean(error)}
            />
            <input
              aria-label={`${props.legend} ${i + 1} value`}
              type="password"
              autoComplete="off"
              value={r.value}
              placeholder={r.stored ? `${r.ref ?? r.stored} (unchanged)` : 'value, or ${env:NAME}'}
              onChange={(e) => set(i, { value: e.target.value })}
              aria-invalid={Boolean(error)}
            />
            <button
              type="button"
              className="small"
              aria-label={`Remove ${label}`}
              onClick={() => props.onChange(rows.filter((_, j) => j !== i))}
            >
              Remove
            </button>
            {error && <span className="field-error mcp-row-error">{error}</span>}
          </div>
        )
      })}
      <div>
        <button type="button" className="small" onClick={() => props.onChange([...rows, { name: '', value: '' }])}>
          + Add {prefix === 'env' ? 'variable' : 'header'}
        </button>
      </div>
    </fieldset>
  )
}

/** Add or edit an MCP server; Test connects to what the form holds, saved or not, and lists what it offers. */
export function ServerForm(props: { editing: McpServerItem | null; existing: string[]; onDone(): void }) {
  const { editing } = props
  const [d, setD] = useState<ServerDraft>(() => draftOf(editing))
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({})
  const set = (patch: Partial<ServerDraft>) => setD((prev) => ({ ...prev, ...patch }))
  const test = useMutation({ mutationFn: () => mcpApi.test(testBodyOf(d, editing !== null)) })
  const save = useMutation({
    mutationFn: () => saveMcpServer(inputOf(d), editing !== null),
    onSuccess: () => props.onDone(),
  })

  /** Saving needs every field right; a test needs no name yet. */
  const check = (forTest = false) => {
    const { name, ...rest } = draftErrors(d, props.existing, editing !== null)
    const e = forTest || name === undefined ? rest : { name, ...rest }
    setFieldErrors(e)
    return Object.keys(e).length === 0
  }
  const onSubmit = (ev: FormEvent) => {
    ev.preventDefault()
    if (check()) save.mutate()
  }
  const hint = (field: string, text: string) => (
    <span id={`mf-${field}-hint`} className={fieldErrors[field] ? 'field-error' : 'field-hint'}>
      {fieldErrors[field] ?? text}
    </span>
  )
  const result = test.data
  return (
    <form className="panel stack" onSubmit={onSubmit} aria-labelledby="mcp-form-title" noValidate>
      <h2 id="mcp-form-title">{editing ? `Edit ${editing.name}` : 'Add MCP server'}</h2>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="mf-name">Name</label>
          <input
            id="mf-name"
            value={d.name}
            disabled={editing !== null}
            onChange={(e) => set({ name: e.target.value })}
            aria-invalid={Boolean(fieldErrors.name)}
            aria-describedby="mf-name-hint"
          />
          {hint('name', 'Its tools are named name__tool at /mcp.')}
        </div>
        <div className="field">
          <label htmlFor="mf-kind">Runs</label>
          <select id="mf-kind" value={d.kind} onChange={(e) => set({ kind: e.target.value as ServerDraft['kind'] })}>
            <option value="stdio">On this machine (stdio)</option>
            <option value="remote">Remote (URL)</option>
          </select>
          <span className="field-hint">
            {d.kind === 'stdio' ? 'The gateway starts it and restarts it if it exits.' : 'Reached over HTTP.'}
          </span>
        </div>
        <label className="row mcp-enabled">
          <input type="checkbox" checked={d.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
          Enabled
        </label>
      </div>
      {d.kind === 'stdio' ? (
        <>
          <div className="form-grid">
            <div className="field">
              <label htmlFor="mf-command">Command</label>
              <input
                id="mf-command"
                value={d.command}
                placeholder="npx"
                onChange={(e) => set({ command: e.target.value })}
                aria-invalid={Boolean(fieldErrors.command)}
                aria-describedby="mf-command-hint"
              />
              {hint('command', 'Run as given, never through a shell.')}
            </div>
            <div className="field">
              <label htmlFor="mf-cwd">Working folder (optional)</label>
              <input id="mf-cwd" value={d.cwd} onChange={(e) => set({ cwd: e.target.value })} />
            </div>
          </div>
          <div className="field">
            <label htmlFor="mf-args">Arguments, one per line</label>
            <textarea
              id="mf-args"
              rows={3}
              value={d.args}
              placeholder={'-y\n@modelcontextprotocol/server-everything'}
              onChange={(e) => set({ args: e.target.value })}
            />
          </div>
          <ValueRows
            legend="Environment"
            prefix="env"
            namePlaceholder="API_KEY"
            hint="Values are kept in the gateway's secret store and never shown again; ${env:NAME} reads one from the gateway's environment."
            rows={d.env}
            errors={fieldErrors}
            onChange={(env) => set({ env })}
          />
        </>
      ) : (
        <>
          <div className="form-grid">
            <div className="field">
              <label htmlFor="mf-url">URL</label>
              <input
                id="mf-url"
                value={d.url}
                placeholder="https://example.com/mcp"
                onChange={(e) => set({ url: e.target.value })}
                aria-invalid={Boolean(fieldErrors.url)}
                aria-describedby="mf-url-hint"
              />
              {hint('url', 'The server’s MCP endpoint.')}
            </div>
            <div className="field">
              <label htmlFor="mf-transport">Transport</label>
              <select
                id="mf-transport"
                value={d.transport}
                onChange={(e) => set({ transport: e.target.value as ServerDraft['transport'] })}
              >
                <option value="auto">Auto: Streamable HTTP, else HTTP+SSE</option>
                <option value="streamable-http">Streamable HTTP</option>
                <option value="sse">HTTP+SSE (older servers)</option>
              </select>
            </div>
          </div>
          <ValueRows
            legend="Headers"
            prefix="headers"
            namePlaceholder="Authorization"
            hint="Sent with every request; values are kept in the gateway's secret store and never shown again."
            rows={d.headers}
            errors={fieldErrors}
            onChange={(headers) => set({ headers })}
          />
        </>
      )}
      <div className="field">
        <label htmlFor="mf-confirm">Tools that need confirmation (optional)</label>
        <input
          id="mf-confirm"
          value={d.confirm}
          placeholder="write_*, delete_*"
          onChange={(e) => set({ confirm: e.target.value })}
          aria-describedby="mf-confirm-hint"
        />
        <span id="mf-confirm-hint" className="field-hint">
          Globs of tool names; only keys allowed to confirm may call them.
        </span>
      </div>
      {result && (
        <div className={result.ok ? 'success' : 'error'} role="status" data-testid="mcp-test-result">
          {result.ok ? (
            <>
              <p>
                ✔ Connected in {formatDuration(result.latencyMs)}
                {result.serverInfo ? ` to ${result.serverInfo.name} ${result.serverInfo.version}` : ''}:{' '}
                {countNoun(result.tools.length, 'tool')}, {countNoun(result.prompts.length, 'prompt')},{' '}
                {countNoun(result.resources.length, 'resource')}.
              </p>
              {result.tools.length > 0 && (
                <ul className="mcp-tool-chips" aria-label="Tools found">
                  {result.tools.map((t) => (
                    <li key={t.name}>
                      <code>{t.name}</code>
                      {t.needsConfirmation && <span title="needs confirmation"> ⚠</span>}
                    </li>
                  ))}
                </ul>
              )}
            </>
          ) : (
            <p>✘ Could not connect: {result.error}</p>
          )}
        </div>
      )}
      {test.error && (
        <p className="error" role="alert">
          Test failed: {errorMessage(test.error)}
        </p>
      )}
      {save.error && (
        <p className="error" role="alert">
          Could not save: {errorMessage(save.error)}
        </p>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : editing ? 'Save changes' : 'Add server'}
        </button>
        <button type="button" onClick={() => check(true) && test.mutate()} disabled={test.isPending}>
          {test.isPending ? 'Testing…' : 'Test'}
        </button>
        <button type="button" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </form>
  )
}
