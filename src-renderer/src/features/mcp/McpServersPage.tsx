import { useMutation, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import type { McpServerItem, McpServerState } from '../../../../src-shared/contract/mcp'
import { errorMessage } from '../../api/client'
import { countNoun } from '../../count-noun'
import { deleteMcpServer, mcpServersQuery, setMcpServerEnabled } from '../../queries/mcp'
import { ServerDetail } from './ServerDetail'
import { ServerForm } from './ServerForm'
import './mcp.css'

/** Status is never colour alone (ui.md §1): each state has its own mark and word. */
const STATE_TEXT: Record<McpServerState, string> = {
  ready: '● ready',
  starting: '◌ starting',
  restarting: '◐ restarting',
  failed: '○ failed',
  disabled: '○ disabled',
}
const STATE_BADGE: Record<McpServerState, string> = {
  ready: 'badge-ok',
  starting: 'badge-warn',
  restarting: 'badge-warn',
  failed: 'badge-err',
  disabled: '',
}
const TRANSPORT_TEXT = { stdio: 'stdio', 'streamable-http': 'Streamable HTTP', sse: 'HTTP+SSE' }

function ServerCard({ s, onEdit }: { s: McpServerItem; onEdit(): void }) {
  // Each card holds its own toggle and delete: an error belongs to this server only.
  const toggle = useMutation({ mutationFn: (enabled: boolean) => setMcpServerEnabled(s.name, enabled) })
  const remove = useMutation({ mutationFn: () => deleteMcpServer(s.name) })
  const [confirming, setConfirming] = useState(false)
  const [open, setOpen] = useState(false)
  const { status } = s
  // The switch shows the choice at once; the list's next read confirms it (or the error says why not).
  const enabled = toggle.isPending ? toggle.variables : s.enabled
  const error = toggle.error ?? remove.error
  const lastError = status.state === 'failed' ? status.errors.at(-1)?.message : undefined
  return (
    <article
      className="panel provider-card"
      data-testid="mcp-server"
      data-server={s.name}
      data-state={status.state}
      aria-labelledby={`mcp-${s.name}`}
    >
      <div>
        <div className="provider-title">
          <strong id={`mcp-${s.name}`}>{s.name}</strong>
          <span className={`badge ${STATE_BADGE[status.state]}`} data-testid="mcp-state">
            {STATE_TEXT[status.state] ?? status.state}
          </span>
          <span className="badge">{TRANSPORT_TEXT[status.transport] ?? status.transport}</span>
          {status.serverInfo && (
            <span className="muted">
              {status.serverInfo.name} {status.serverInfo.version}
            </span>
          )}
        </div>
        <div className="provider-meta">
          <code>{s.kind === 'stdio' ? [s.command, ...s.args].join(' ') : s.url}</code>
        </div>
        <div className="provider-meta" data-testid="mcp-counts">
          {countNoun(status.tools.length, 'tool')} · {countNoun(status.prompts.length, 'prompt')} ·{' '}
          {countNoun(status.resources.length, 'resource')} · {countNoun(status.restarts, 'restart')}
          {status.errors.length > 0 && ` · ${countNoun(status.errors.length, 'recent error')}`}
        </div>
        {lastError && <div className="provider-meta error">Last error: {lastError}</div>}
        {error && (
          <p className="error" role="alert">
            {errorMessage(error)}
          </p>
        )}
      </div>
      <div className="row">
        <label className="row mcp-switch">
          <input
            type="checkbox"
            role="switch"
            checked={enabled}
            aria-checked={enabled}
            disabled={toggle.isPending}
            onChange={(e) => toggle.mutate(e.target.checked)}
            aria-label={`${s.name} enabled`}
          />
          Enabled
        </label>
        <button
          type="button"
          aria-expanded={open}
          aria-controls={`mcp-detail-${s.name}`}
          onClick={() => setOpen(!open)}
        >
          {open ? 'Hide details' : 'Details'}
        </button>
        <button type="button" onClick={onEdit}>
          Edit
        </button>
        {confirming ? (
          <>
            <button type="button" className="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
              Delete {s.name}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Delete
          </button>
        )}
      </div>
      {open && <ServerDetail s={s} />}
    </article>
  )
}

/** The MCP hub's upstream servers: added, tested, edited, switched on and off, with their live state. */
export function McpServersPage() {
  const list = useQuery(mcpServersQuery())
  const servers = list.data ?? null
  const [form, setForm] = useState<{ editing: McpServerItem | null } | null>(null)
  return (
    <main className="page">
      <header className="page-header">
        <h1>MCP servers</h1>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setForm({ editing: null })}>
          + Add server
        </button>
      </header>
      <div className="stack">
        {form && (
          <ServerForm
            key={form.editing?.name ?? 'new'}
            editing={form.editing}
            existing={(servers ?? []).map((s) => s.name)}
            onDone={() => setForm(null)}
          />
        )}
        <section aria-labelledby="mcp-servers-heading" aria-busy={list.isPending}>
          <h2 id="mcp-servers-heading">Servers</h2>
          <p className="muted">
            Every enabled server’s tools, prompts and resources are offered at <code>/mcp</code>, named{' '}
            <code>server__tool</code>; the list refreshes while this page is open.
          </p>
          {list.error && (
            <div className="notice" role="alert">
              <span>
                <strong>Could not load the MCP servers.</strong> {errorMessage(list.error)}
                {servers && ' The list below may be out of date.'}
              </span>
              <button type="button" onClick={() => void list.refetch()}>
                Retry
              </button>
            </div>
          )}
          {servers && servers.length === 0 && (
            <div className="empty">
              <p>No MCP server yet. Add one your tools use, and point them all at the gateway’s /mcp.</p>
              <button type="button" className="primary" onClick={() => setForm({ editing: null })}>
                + Add server
              </button>
            </div>
          )}
          {servers?.map((s) => (
            <ServerCard key={s.name} s={s} onEdit={() => setForm({ editing: s })} />
          ))}
        </section>
      </div>
    </main>
  )
}
