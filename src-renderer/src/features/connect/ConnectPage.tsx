import { useQuery } from '@tanstack/react-query'
import { useEffect, useMemo, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { LogItem } from '../../../../src-shared/admin-api'
import { errorMessage } from '../../api/client'
import { CopyButton } from '../../components/CopyButton'
import { formatDuration, formatTime } from '../../format'
import { latestRequestQuery } from '../../queries/connect'
import { modelIdsQuery } from '../../queries/models'
import { statusQuery } from '../../queries/status'
import { useAppStore } from '../../store'
import { McpConnect } from './McpConnect'
import { buildSnippets, KEY_VAR } from './snippets'
import { ToolSetup } from './ToolSetup'

const POLL_MS = 2000
const FALLBACK_MODEL = 'your-model'

function RequestLine({ row }: { row: LogItem }) {
  return (
    <span>
      {formatTime(row.createdAt)} · <code>{row.inboundApi}</code> API · {row.requestedModel ?? row.model ?? '—'} ·{' '}
      <span className={row.status >= 400 ? 'status-err' : 'status-ok'}>
        {row.status >= 400 ? '✘' : '✔'} {row.status}
      </span>{' '}
      · {formatDuration(row.latencyMs)} · <a href={`#/logs?id=${row.id}`}>open in Logs</a>
    </span>
  )
}

function ConnectionTest() {
  // Polled while the window shows the page (TanStack pauses the interval in a hidden tab).
  const latestQuery = useQuery({ ...latestRequestQuery(), refetchInterval: POLL_MS, staleTime: 0 })
  const latest = latestQuery.data ?? null
  const error = latestQuery.error ? errorMessage(latestQuery.error) : null
  const seen = useAppStore((s) => s.connectSeen)
  const waiting = useAppStore((s) => s.connectWaitingAfter !== null)
  const a = useAppStore(
    useShallow((s) => ({ start: s.startConnectionTest, cancel: s.cancelConnectionTest, note: s.noteLatestRequest })),
  )
  useEffect(() => {
    a.note(latest)
  }, [a, latest])
  const start = () => {
    a.start(latest?.id ?? null)
    void latestQuery.refetch()
  }
  return (
    <section className="panel stack" aria-labelledby="test-heading">
      <h2 id="test-heading">Test connection</h2>
      <div className="row">
        {waiting ? (
          <>
            <span aria-live="polite">Waiting for the next request… run your tool now.</span>
            <button type="button" onClick={a.cancel}>
              Cancel
            </button>
          </>
        ) : (
          <button type="button" className="primary" onClick={start}>
            Test connection
          </button>
        )}
      </div>
      {seen && (
        <p className="success" role="status" data-testid="connect-seen">
          ✔ Request received: <RequestLine row={seen} />
        </p>
      )}
      <div className="muted" data-testid="connect-latest">
        Latest request: {latest ? <RequestLine row={latest} /> : 'none yet.'}
      </div>
      {error && (
        <p className="error" role="alert">
          Could not read the request log: {error}
        </p>
      )}
    </section>
  )
}

export function ConnectPage() {
  const baseUrl = useQuery({ ...statusQuery(), select: (s) => s.baseUrl }).data ?? null
  const models = useQuery(modelIdsQuery()).data ?? []
  const [model, setModel] = useState('')
  const [toolId, setToolId] = useState('claude-code')

  const chosenModel = model || models[0] || FALLBACK_MODEL
  const url = baseUrl ?? window.location.origin
  const tools = useMemo(() => buildSnippets(url, chosenModel), [url, chosenModel])
  const tool = tools.find((t) => t.id === toolId) ?? tools[0]

  return (
    <main className="page">
      <header className="page-header">
        <h1>Connect</h1>
      </header>
      <section className="panel row" aria-label="Endpoint" style={{ marginBottom: 14 }}>
        <span>
          Endpoint <code data-testid="connect-endpoint">{url}</code>
        </span>
        <CopyButton text={url} label="Copy endpoint" />
        <span className="spacer" style={{ flex: 1 }} />
        <label htmlFor="connect-model">Model in snippets</label>
        <select id="connect-model" value={chosenModel} onChange={(e) => setModel(e.target.value)}>
          {models.length === 0 && <option value={FALLBACK_MODEL}>{FALLBACK_MODEL}</option>}
          {models.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </section>
      <p className="muted">
        Snippets read the key from <code>${KEY_VAR}</code>. While no gateway keys are configured, any value is accepted
        (the gateway then listens on this machine only).
      </p>
      <div className="connect-layout">
        <div className="panel tool-list" role="tablist" aria-label="Tools" aria-orientation="vertical">
          {tools.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              id={`tool-tab-${t.id}`}
              aria-selected={t.id === tool.id}
              aria-controls="tool-panel"
              onClick={() => setToolId(t.id)}
            >
              {t.name}
            </button>
          ))}
        </div>
        <div className="stack">
          <ToolSetup
            tool={tool}
            level={2}
            testIdPrefix="snippet"
            section={{ role: 'tabpanel', id: 'tool-panel', 'aria-labelledby': `tool-tab-${tool.id}` }}
          />
          <ConnectionTest />
        </div>
      </div>
      <McpConnect baseUrl={url} />
    </main>
  )
}
