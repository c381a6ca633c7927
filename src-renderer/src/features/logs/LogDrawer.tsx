import { useQuery } from '@tanstack/react-query'
import { type KeyboardEvent, useEffect, useRef, useState } from 'react'
import type { LogDetail } from '../../../../src-shared/admin-api'
import { errorMessage } from '../../api/client'
import { hrefFor } from '../../app/router'
import { CopyButton } from '../../components/CopyButton'
import { formatCount, formatDuration, formatTokensInOut } from '../../format'
import { logDetailQuery } from '../../queries/logs'
import { settingsQuery } from '../../queries/settings'
import { statusQuery } from '../../queries/status'
import { useAppStore } from '../../store'
import { canUse } from '../../store/auth-slice'
import { toolLabel } from '../sessions/session-filters'
import { attemptStory } from './attempt-story'
import { isMcpCall, McpCallOverview, mcpArguments } from './McpCallDetail'
import { ProtectionPanel } from './ProtectionPanel'

const TABS = ['Overview', 'Request', 'Response', 'Attempts', 'Timing', 'Protection'] as const
/** A tool call through the MCP hub has no tokens, attempts or protection: its arguments and result instead. */
const MCP_TABS = ['Overview', 'Arguments', 'Result'] as const
type Tab = (typeof TABS)[number] | (typeof MCP_TABS)[number]

function pretty(body: unknown): string {
  return typeof body === 'string' ? body : JSON.stringify(body, null, 2)
}

function MissingBody({ which, hidden }: { which: string; hidden: boolean }) {
  const role = useAppStore((s) => s.principal?.role)
  // Whether body logging is on is not worth asking when the role hides bodies anyway.
  const storeBodies = useQuery({ ...settingsQuery(), select: (s) => s.logs.storeBodies, enabled: !hidden }).data
  if (hidden) {
    return (
      <p className="muted" data-testid="bodies-hidden">
        Request and response bodies are hidden for your role ({role ?? 'viewer'}). Ask an admin if you need them.
      </p>
    )
  }
  return (
    <p className="muted">
      {storeBodies === false
        ? `No ${which} body: body logging is off (Settings → Retention).`
        : `No ${which} body was captured for this request.`}
    </p>
  )
}

/** A streamed answer is stored as its assembled text: `{stream: true, content}`. */
function streamedText(body: unknown): string | null {
  const b = body as { stream?: unknown; content?: unknown } | null
  return b && typeof b === 'object' && b.stream === true && typeof b.content === 'string' ? b.content : null
}

function Body(props: { body: unknown; which: string; truncated: boolean; hidden?: boolean }) {
  const { body, which, truncated } = props
  const bodies = useAppStore((s) => canUse(s, 'logs:bodies'))
  const hidden = !bodies || props.hidden === true
  if (body === null || body === undefined || hidden) return <MissingBody which={which} hidden={hidden} />
  const streamed = streamedText(body)
  const text = streamed ?? pretty(body)
  return (
    <div className="stack">
      <div className="row">
        <CopyButton text={text} label={`Copy ${which} body`} />
        {truncated && <span className="warn-text">Truncated when stored: this is not the whole body.</span>}
      </div>
      {streamed !== null && <p className="muted">Streamed answer, stored as its assembled text.</p>}
      <pre className="code-block">{text || '(no text)'}</pre>
    </div>
  )
}

function curlFor(d: LogDetail, baseUrl: string): string {
  const path =
    d.inboundApi === 'anthropic'
      ? '/v1/messages'
      : d.inboundApi === 'responses'
        ? '/v1/responses'
        : '/v1/chat/completions'
  const body = d.requestBody === null ? '{}' : JSON.stringify(d.requestBody)
  return `curl ${baseUrl}${path} \\\n  -H 'content-type: application/json' \\\n  -d '${body.replace(/'/g, "'\\''")}'`
}

function Overview({ d }: { d: LogDetail }) {
  return (
    <dl className="kv">
      <dt>Time</dt>
      <dd>
        {new Date(d.createdAt).toLocaleString('en-US')} <span className="muted">({d.createdAt})</span>
      </dd>
      <dt>Status</dt>
      <dd className={d.status >= 400 ? 'status-err' : 'status-ok'}>
        {d.status >= 400 ? '✘' : '✔'} {d.status}
      </dd>
      {d.error && (
        <>
          <dt>Error</dt>
          <dd className="status-err">{d.error}</dd>
        </>
      )}
      <dt>API</dt>
      <dd>
        {d.inboundApi}
        {d.isStream ? ' · streamed' : ''}
      </dd>
      <dt>Requested model</dt>
      <dd>{d.requestedModel ?? '—'}</dd>
      <dt>Served by</dt>
      <dd>
        {d.provider ?? '—'} / {d.model ?? '—'}
        {d.route ? ` (route ${d.route})` : ''}
      </dd>
      <dt>Key</dt>
      <dd>{d.keyName ?? (d.caller ? `none (${d.caller})` : '—')}</dd>
      {d.sessionId && (
        <>
          <dt>Session</dt>
          <dd>
            <code>{d.sessionId}</code> ·{' '}
            <a href={hrefFor('/sessions', { range: '30d', session: d.sessionId })}>Open in Sessions</a>
          </dd>
        </>
      )}
      {d.project && (
        <>
          <dt>Project</dt>
          <dd>{d.project}</dd>
        </>
      )}
      {d.clientTool && (
        <>
          <dt>Tool</dt>
          <dd>{toolLabel(d.clientTool)}</dd>
        </>
      )}
      {d.promptName && (
        <>
          <dt>Prompt</dt>
          <dd>
            {d.promptName} v{d.promptVersion ?? '?'}
            {d.promptArm ? ` (arm ${d.promptArm})` : ''}
          </dd>
        </>
      )}
      <dt>Tokens in → out</dt>
      <dd>
        {formatTokensInOut(d.inputTokens, d.outputTokens)}
        {d.isEstimated && ' (estimated)'}
      </dd>
      <dt>Cached / reasoning</dt>
      <dd>
        {formatCount(d.cachedTokens)} / {formatCount(d.reasoningTokens)}
      </dd>
      <dt>Cost</dt>
      <dd>
        {d.costUsd === null ? '—' : `$${d.costUsd.toFixed(6)}`}
        {d.isEstimated && ' est.'}
      </dd>
      <dt>Latency</dt>
      <dd>{formatDuration(d.latencyMs)}</dd>
      <dt>Time to first token</dt>
      <dd>{formatDuration(d.ttftMs)}</dd>
      <dt>Cache</dt>
      <dd>{d.isCacheHit ? 'hit' : 'miss'}</dd>
      {d.toolCallRepairs > 0 && (
        <>
          <dt>Tool-call repairs</dt>
          <dd>{d.toolCallRepairs}</dd>
        </>
      )}
      <dt>Request id</dt>
      <dd>
        <code>{d.requestId}</code>
      </dd>
    </dl>
  )
}

function Attempts({ d }: { d: LogDetail }) {
  const { rows, sentence } = attemptStory(d)
  return (
    <div className="stack">
      <p data-testid="attempts-summary">{sentence}</p>
      <table aria-label="Attempts">
        <thead>
          <tr>
            <th>#</th>
            <th>Provider / model</th>
            <th>Status</th>
            <th>Error</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: attempts are ordered and never reordered
            <tr key={i}>
              <td className="num">{i + 1}</td>
              <td>
                {r.provider} / {r.model}
              </td>
              <td className={r.ok ? 'status-ok' : 'status-err'} style={{ whiteSpace: 'nowrap' }}>
                {r.ok ? '✔' : '✘'} {r.status ?? '—'}
              </td>
              <td>{r.error ?? (r.ok ? `final · ${formatDuration(d.latencyMs)}` : '—')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function Timing({ d }: { d: LogDetail }) {
  const ttft = d.ttftMs
  const pct = ttft !== null && d.latencyMs > 0 ? Math.min(100, (ttft / d.latencyMs) * 100) : null
  return (
    <div>
      <p className="muted">Total {formatDuration(d.latencyMs)}.</p>
      {pct === null ? (
        <p className="muted">No time to first token was recorded (not streamed, or no token arrived).</p>
      ) : (
        <>
          <div
            className="timing-bar"
            role="img"
            aria-label={`First token after ${formatDuration(ttft)}, then streaming`}
          >
            <span style={{ width: `${pct}%` }} />
            <span style={{ width: `${100 - pct}%` }} />
          </div>
          <div className="chart-legend">
            <span>
              <span className="swatch" style={{ background: 'var(--series-1)' }} />
              Waiting for first token {formatDuration(ttft)}
            </span>
            <span>
              <span className="swatch" style={{ background: 'var(--series-3)' }} />
              Streaming {formatDuration(d.latencyMs - (ttft ?? 0))}
            </span>
          </div>
        </>
      )}
    </div>
  )
}

/** The detail of one log row, fetched when opened. A modal dialog: focus stays inside, Esc closes. */
export function LogDrawer(props: { onClose(): void }) {
  const id = useAppStore((s) => s.detailId)
  const query = useQuery({ ...logDetailQuery(id ?? 0), enabled: id !== null })
  const detail = query.data ?? null
  const error = query.error ? errorMessage(query.error) : null
  const baseUrl = useQuery({ ...statusQuery(), select: (s) => s.baseUrl }).data ?? window.location.origin
  const [chosen, setTab] = useState<Tab>('Overview')
  const mcp = detail !== null && isMcpCall(detail)
  const tabs: readonly Tab[] = mcp ? MCP_TABS : TABS
  // A tab the row does not have (another kind of row was open) shows its Overview.
  const tab = tabs.includes(chosen) ? chosen : 'Overview'
  const ref = useRef<HTMLDivElement>(null)
  const closeRef = useRef<HTMLButtonElement>(null)

  useEffect(() => {
    closeRef.current?.focus()
  }, [])

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation()
      props.onClose()
    } else if (e.key === 'Tab' && ref.current) {
      const focusable = ref.current.querySelectorAll<HTMLElement>(
        'button, a[href], input, select, textarea, [tabindex="0"]',
      )
      const first = focusable[0]
      const last = focusable[focusable.length - 1]
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault()
        last.focus()
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault()
        first.focus()
      }
    }
  }

  return (
    <>
      <div className="drawer-backdrop" onClick={props.onClose} aria-hidden="true" />
      <div
        className="drawer"
        role="dialog"
        aria-modal="true"
        aria-labelledby="log-drawer-title"
        data-testid="log-drawer"
        ref={ref}
        onKeyDown={onKeyDown}
      >
        <div className="drawer-header">
          <h2 id="log-drawer-title" style={{ margin: 0 }}>
            {mcp ? 'Tool call' : 'Request'} #{id}
          </h2>
          <div className="row">
            {detail && <CopyButton text={detail.requestId} label="Copy id" />}
            {detail && !mcp && <CopyButton text={curlFor(detail, baseUrl)} label="Copy as curl" />}
            <button type="button" ref={closeRef} onClick={props.onClose} aria-label="Close">
              ✕
            </button>
          </div>
        </div>
        <div className="drawer-body">
          <div className="tabs" role="tablist" aria-label="Request detail">
            {tabs.map((t) => (
              <button
                key={t}
                type="button"
                role="tab"
                id={`log-tab-${t}`}
                aria-selected={tab === t}
                aria-controls="log-tabpanel"
                onClick={() => setTab(t)}
              >
                {t}
              </button>
            ))}
          </div>
          <div role="tabpanel" id="log-tabpanel" aria-labelledby={`log-tab-${tab}`}>
            {error && (
              <p className="error" role="alert">
                Could not load this request: {error}
              </p>
            )}
            {!detail && !error && <p className="muted">Loading…</p>}
            {detail && tab === 'Overview' && (mcp ? <McpCallOverview d={detail} /> : <Overview d={detail} />)}
            {detail && tab === 'Arguments' && (
              <Body
                body={mcpArguments(detail)}
                which="arguments"
                truncated={detail.isBodyTruncated}
                hidden={detail.bodiesHidden}
              />
            )}
            {detail && tab === 'Result' && (
              <Body
                body={detail.responseBody}
                which="result"
                truncated={detail.isBodyTruncated}
                hidden={detail.bodiesHidden}
              />
            )}
            {detail && tab === 'Request' && (
              <Body
                body={detail.requestBody}
                which="request"
                truncated={detail.isBodyTruncated}
                hidden={detail.bodiesHidden}
              />
            )}
            {detail && tab === 'Response' && (
              <Body
                body={detail.responseBody}
                which="response"
                truncated={detail.isBodyTruncated}
                hidden={detail.bodiesHidden}
              />
            )}
            {detail && tab === 'Attempts' && <Attempts d={detail} />}
            {detail && tab === 'Timing' && <Timing d={detail} />}
            {detail && tab === 'Protection' && <ProtectionPanel d={detail} />}
          </div>
        </div>
      </div>
    </>
  )
}
